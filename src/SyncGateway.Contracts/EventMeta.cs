namespace SyncGateway.Contracts;

/// <summary>
/// The CloudEvents envelope of one sync event, carried unchanged from intake to delivery.
/// </summary>
/// <param name="Id">Stable event id: the same source event always yields the same id (dedupe key, <c>webhook-id</c>).</param>
/// <param name="Source">CloudEvents <c>source</c>: <c>/im/{SdkAppId}</c> for IM events, the legacy system's own value for legacy deltas.</param>
/// <param name="Type">CloudEvents <c>type</c>, e.g. <c>im.c2c.message.sent</c>.</param>
/// <param name="Subject">The conversation: <c>c2c:{a}:{b}</c> (ordinal ascending) or <c>group:{GroupId}</c>. Also the ordering key.</param>
/// <param name="Time">When the event happened at its source.</param>
/// <param name="ReceivedAt">When the gateway accepted the event.</param>
/// <param name="TraceParent">W3C <c>traceparent</c> of the trace the event belongs to, if any.</param>
/// <param name="TraceState">W3C <c>tracestate</c>, if any.</param>
/// <param name="SyncOrigin">For legacy deltas: the id of the gateway event the delta echoes (<c>syncorigin</c> extension), if the legacy system carried it.</param>
/// <param name="Repaired">For IM events: true when the gap repair built the event from IM's history because its callback never came (<c>syncrepaired</c> extension).</param>
public sealed record EventMeta(
    string Id,
    string Source,
    string Type,
    string Subject,
    DateTimeOffset Time,
    DateTimeOffset ReceivedAt,
    string? TraceParent = null,
    string? TraceState = null,
    string? SyncOrigin = null,
    bool? Repaired = null);
