namespace SyncGateway.Messaging;

/// <summary>
/// How this replica's relays are doing: when a delivery last failed, and when the last one was made and how late. The
/// gap repair's tail check waits while a direction is behind, since messages still queued would look missing.
/// </summary>
internal sealed class RelayHealth(TimeProvider time)
{
    private readonly long[] _lastFailure = new long[2];
    private readonly long[] _lastDelivery = new long[2];
    private readonly long[] _lastLatencyTicks = new long[2];

    public void NoteFailure(RelayDirection direction) => Volatile.Write(ref _lastFailure[Index(direction)], time.GetUtcNow().UtcTicks);

    public void NoteDelivered(RelayDirection direction, TimeSpan latency)
    {
        Volatile.Write(ref _lastLatencyTicks[Index(direction)], latency.Ticks);
        Volatile.Write(ref _lastDelivery[Index(direction)], time.GetUtcNow().UtcTicks);
    }

    /// <summary>
    /// True when a delivery of <paramref name="direction"/> failed within <paramref name="window"/>, or one made within
    /// it came later than that after its event. A direction with nothing to deliver is not behind.
    /// </summary>
    public bool IsBehind(RelayDirection direction, TimeSpan window)
    {
        var now = time.GetUtcNow().UtcTicks;
        var i = Index(direction);
        return now - Volatile.Read(ref _lastFailure[i]) < window.Ticks
               || (now - Volatile.Read(ref _lastDelivery[i]) < window.Ticks && Volatile.Read(ref _lastLatencyTicks[i]) > window.Ticks);
    }

    private static int Index(RelayDirection direction) => direction == RelayDirection.ImToLegacy ? 0 : 1;
}
