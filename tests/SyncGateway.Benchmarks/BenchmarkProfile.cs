using SyncGateway.Fakes.Import;

namespace SyncGateway.Benchmarks;

/// <summary>How long and how large one benchmark run is. Everything is bounded: counts, durations and drain waits.</summary>
/// <param name="Name"><c>quick</c> or <c>full</c>.</param>
/// <param name="Clients">Concurrent HTTP clients, and concurrent publishers in the broker-limit run.</param>
/// <param name="Warmup">Load thrown away before each measured run (JIT, connection pools, queue creation).</param>
/// <param name="Measure">Length of each measured run.</param>
/// <param name="Drain">How long the end-to-end runs wait for the relay to catch up after the offered load stops.</param>
/// <param name="ImportSize">The generated history.</param>
/// <param name="ImportCallsPerSecond">The rate limit the stub IM enforces on every import API, and the client is configured to.</param>
/// <param name="ImportParallelism">
/// IM calls the import keeps in flight (<c>--parallel</c>), 64 like the import's own default. In-flight calls cap the
/// rate at parallelism / call latency: the former default of 16 gave about 1,600 calls/s when a loaded 2-core machine
/// answered in 10 ms, short of a 2,000/s limit.
/// </param>
internal sealed record BenchmarkProfile(
    string Name,
    int Clients,
    TimeSpan Warmup,
    TimeSpan Measure,
    TimeSpan Drain,
    ImportSampleSize ImportSize,
    int ImportCallsPerSecond,
    int ImportParallelism = 64)
{
    /// <summary>
    /// Offered load of the end-to-end runs as a share of the end-to-end maximum (what the relay delivered while the
    /// intake ran flat out), and of the intake's half-load run as a share of its own maximum.
    /// </summary>
    public const double HalfLoad = 0.5;

    /// <summary>Genuine events offered in the echo run (both directions together), as a share of the end-to-end maximum.</summary>
    public const double EchoLoad = 0.25;

    public static BenchmarkProfile Quick { get; } = new(
        "quick", Clients: 32, Warmup: TimeSpan.FromSeconds(10), Measure: TimeSpan.FromSeconds(10), Drain: TimeSpan.FromSeconds(60),
        new ImportSampleSize(Accounts: 2_000, C2CMessages: 20_000, Groups: 50, GroupMessages: 2_000), ImportCallsPerSecond: 2_000);

    public static BenchmarkProfile Full { get; } = new(
        "full", Clients: 32, Warmup: TimeSpan.FromSeconds(30), Measure: TimeSpan.FromSeconds(30), Drain: TimeSpan.FromSeconds(120),
        new ImportSampleSize(Accounts: 100_000, C2CMessages: 1_000_000, Groups: 1_000, GroupMessages: 100_000), ImportCallsPerSecond: 2_000);
}
