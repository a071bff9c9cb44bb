namespace SyncGateway.Tests.Support;

/// <summary>
/// Tests that count every span of ASP.NET Core's activity source, which is process-wide: run alone, after the parallel
/// tests, so no other test's requests are among the spans they count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalActivityListeners
{
    public const string Name = "Global activity listeners";
}
