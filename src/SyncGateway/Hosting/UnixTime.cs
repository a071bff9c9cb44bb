namespace SyncGateway.Hosting;

/// <summary>The Unix times the gateway accepts: those <see cref="DateTimeOffset"/> can hold, up to the end of 9999.</summary>
internal static class UnixTime
{
    public static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
}
