using System.Runtime;

namespace SyncGateway.Hosting;

internal static class IdleMemoryTrimRegistration
{
    /// <summary>Returns memory to the operating system when the gateway goes quiet after a burst.</summary>
    public static IHostApplicationBuilder AddIdleMemoryTrim(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<IdleMemoryTrim>();
        return builder;
    }
}

/// <summary>
/// Gives memory back after a burst. The runtime collects only when the process allocates, so a gateway that took a
/// burst of large bodies and then went quiet would keep that heap for good. When the gateway has done no work for a
/// while (no request read, no event relayed: <see cref="NoteWork"/>) and its heap has grown well beyond what it was
/// after the last trim, one compacting collection returns the freed memory to the operating system. Quiet is judged by
/// work, not by collections: under Server GC a lightly loaded gateway can go many seconds between collections.
/// </summary>
internal sealed partial class IdleMemoryTrim(TimeProvider time, ILogger<IdleMemoryTrim> logger) : BackgroundService
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(10);

    private const double Growth = 1.25;

    private static long _work;

    /// <summary>Called for every request body read and every event relayed: the gateway is not quiet.</summary>
    public static void NoteWork() => Interlocked.Increment(ref _work);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var baseline = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var work = Volatile.Read(ref _work);
        using var timer = new PeriodicTimer(Quiet, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            var now = Volatile.Read(ref _work);
            var committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
            if (now == work && committed > baseline * Growth)
            {
                GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                baseline = GC.GetGCMemoryInfo().TotalCommittedBytes;
                LogTrimmed(logger, committed / (1024 * 1024), baseline / (1024 * 1024));
            }
            work = now;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quiet after a burst: heap trimmed from {BeforeMiB} MiB to {AfterMiB} MiB committed")]
    private static partial void LogTrimmed(ILogger logger, long beforeMiB, long afterMiB);
}
