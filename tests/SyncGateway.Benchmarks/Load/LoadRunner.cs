using System.Diagnostics;

namespace SyncGateway.Benchmarks.Load;

/// <summary>
/// Sends one request: item <paramref name="n"/>, due at <paramref name="scheduledAt"/> (a <see cref="Stopwatch"/>
/// timestamp); true when the server accepted it.
/// </summary>
internal delegate Task<bool> SendOne(long n, long scheduledAt);

/// <summary>What a load run achieved.</summary>
internal sealed record LoadResult(long Accepted, long Failed, TimeSpan Elapsed)
{
    public double AcceptedPerSecond => Accepted / Elapsed.TotalSeconds;
}

/// <summary>
/// Closed loop (a fixed number of workers, each sending as soon as its previous request is answered: the maximum rate)
/// and open loop (requests leave on a fixed schedule whatever the answers: latency at a given load, measured from the
/// scheduled time, so a stalled server cannot hide its queueing).
/// </summary>
internal static class LoadRunner
{
    public static async Task<LoadResult> ClosedLoopAsync(int workers, TimeSpan duration, Func<long> next, SendOne send, Latencies? latencies)
    {
        long accepted = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await SafeSendAsync(send, next(), started);
                latencies?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref ok ? ref accepted : ref failed);
            }
        })));
        return new LoadResult(accepted, failed, clock.Elapsed);
    }

    public static async Task<LoadResult> OpenLoopAsync(double perSecond, TimeSpan duration, int maxInFlight, Func<long> next, SendOne send, Latencies? latencies)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        long accepted = 0, failed = 0;
        var total = (long)(perSecond * duration.TotalSeconds);
        using var slots = new SemaphoreSlim(maxInFlight);
        var inFlight = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        for (long i = 0; i < total; i++)
        {
            var scheduledAt = start + (long)(i / perSecond * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), scheduledAt);
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait);
            }
            await slots.WaitAsync();
            var n = next();
            inFlight.Add(Task.Run(async () =>
            {
                try
                {
                    var ok = await SafeSendAsync(send, n, scheduledAt);
                    latencies?.Add(Stopwatch.GetElapsedTime(scheduledAt).TotalMilliseconds);
                    Interlocked.Increment(ref ok ? ref accepted : ref failed);
                }
                finally
                {
                    slots.Release();
                }
            }));
        }
        await Task.WhenAll(inFlight);
        return new LoadResult(accepted, failed, Stopwatch.GetElapsedTime(start));
    }

    private static async Task<bool> SafeSendAsync(SendOne send, long n, long scheduledAt)
    {
        try
        {
            return await send(n, scheduledAt);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }
}
