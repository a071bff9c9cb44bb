namespace SyncGateway.Messaging;

/// <summary>
/// One of the two directions an event travels. Its name is the <c>sync.direction</c> tag, the stem of its relay queues
/// and the word the admin surfaces use; the rest is how its logs speak of it.
/// </summary>
/// <param name="Name"><c>im-to-legacy</c> or <c>legacy-to-im</c>.</param>
/// <param name="Delivered">The verb of a delivered event's log line.</param>
/// <param name="Target">The side events are delivered to.</param>
/// <param name="DeliveredOutcome">The outcome counted for a delivered event.</param>
/// <param name="SpanVerb">The first word of the span that handles an event: <c>relay im.…</c>, <c>apply legacy.…</c>.</param>
internal sealed record RelayDirection(string Name, string Delivered, string Target, string DeliveredOutcome, string SpanVerb)
{
    public static readonly RelayDirection ImToLegacy = new("im-to-legacy", "Relayed", "legacy", Hosting.SyncTelemetry.Outcomes.Relayed, "relay");

    public static readonly RelayDirection LegacyToIm = new("legacy-to-im", "Applied", "IM", Hosting.SyncTelemetry.Outcomes.Applied, "apply");

    /// <summary>The relay queues' stem: <c>relay.im-to-legacy</c> (queues <c>.0</c> … <c>.N-1</c>, errors <c>_error</c>).</summary>
    public string QueueStem => "relay." + Name;

    public override string ToString() => Name;
}
