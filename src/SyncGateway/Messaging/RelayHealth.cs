namespace SyncGateway.Messaging;

/// <summary>
/// How this replica's relays are doing: when a delivery last failed and how late the last one was. The gap repair's
/// tail check waits while a direction is behind, since messages still queued would look missing.
/// </summary>
internal sealed class RelayHealth(TimeProvider time)
{
    private readonly long[] _lastFailure = new long[2];
    private readonly long[] _lastLatencyTicks = new long[2];

    public void NoteFailure(RelayDirection direction) => Volatile.Write(ref _lastFailure[Index(direction)], time.GetUtcNow().UtcTicks);

    public void NoteDelivered(RelayDirection direction, TimeSpan latency) => Volatile.Write(ref _lastLatencyTicks[Index(direction)], latency.Ticks);

    /// <summary>True when a delivery of <paramref name="direction"/> failed within <paramref name="window"/>, or the last one came later than that after its event.</summary>
    public bool IsBehind(RelayDirection direction, TimeSpan window)
        => time.GetUtcNow().UtcTicks - Volatile.Read(ref _lastFailure[Index(direction)]) < window.Ticks
           || Volatile.Read(ref _lastLatencyTicks[Index(direction)]) > window.Ticks;

    private static int Index(RelayDirection direction) => direction == RelayDirection.ImToLegacy ? 0 : 1;
}
