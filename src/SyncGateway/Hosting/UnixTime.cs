using System.Globalization;

namespace SyncGateway.Hosting;

/// <summary>The Unix times the gateway accepts: those <see cref="DateTimeOffset"/> can hold, up to the end of 9999.</summary>
internal static class UnixTime
{
    public static readonly long MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    public static readonly long MaxMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>A time as settings and commands take it: Unix seconds, or ISO 8601 (UTC when it names no offset); null when it is neither.</summary>
    public static DateTimeOffset? Parse(string? text)
        => string.IsNullOrWhiteSpace(text) ? null
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? (seconds <= MaxSeconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null)
            : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time
            : null;
}
