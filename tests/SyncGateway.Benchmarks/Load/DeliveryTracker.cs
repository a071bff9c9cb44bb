using System.Collections.Concurrent;
using System.Diagnostics;

namespace SyncGateway.Benchmarks.Load;

/// <summary>
/// End-to-end latency: when item <c>n</c> was due to be sent, and when the stub on the far side received it. Items
/// not sent through this tracker (warm-up, echoes) are ignored on arrival.
/// </summary>
internal sealed class DeliveryTracker
{
    private readonly ConcurrentDictionary<long, long> _sentAt = new();
    private readonly Latencies _latencies = new();
    private long _firstSent = long.MaxValue;
    private long _lastDelivered;
    private int _delivered;

    public int Delivered => Volatile.Read(ref _delivered);

    /// <summary>Sent and not yet received.</summary>
    public int Pending => _sentAt.Count;

    /// <summary>Call before the request leaves: the far side may receive it before the request is answered.</summary>
    public void Sending(long n, long scheduledAt)
    {
        _sentAt[n] = scheduledAt;
        InterlockedMin(ref _firstSent, scheduledAt);
    }

    /// <summary>The request was refused: the item will not arrive.</summary>
    public void Refused(long n) => _sentAt.TryRemove(n, out _);

    /// <summary>The far side received item <paramref name="n"/>; false when it was not sent through this tracker (or arrived twice).</summary>
    public bool Arrived(long n)
    {
        if (!_sentAt.TryRemove(n, out var sentAt))
        {
            return false;
        }
        var now = Stopwatch.GetTimestamp();
        _latencies.Add(Stopwatch.GetElapsedTime(sentAt, now).TotalMilliseconds);
        Interlocked.Increment(ref _delivered);
        InterlockedMax(ref _lastDelivered, now);
        return true;
    }

    /// <summary>Waits until nothing is pending or <paramref name="timeout"/> passes; true when all arrived.</summary>
    public async Task<bool> WaitForAllAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (Pending > 0 && deadline.Elapsed < timeout)
        {
            await Task.Delay(50);
        }
        return Pending == 0;
    }

    /// <summary>Items received per second, from the first scheduled send to the last arrival.</summary>
    public double DeliveredPerSecond
        => Delivered == 0 ? 0 : Delivered / Stopwatch.GetElapsedTime(Volatile.Read(ref _firstSent), Volatile.Read(ref _lastDelivered)).TotalSeconds;

    public LatencySummary Latency => _latencies.Summarise();

    private static void InterlockedMin(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value < current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }
}
