using System.Globalization;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.Ledger;

/// <summary>The step names the delivery ledger records.</summary>
internal static class DeliverySteps
{
    public const string Received = "received";
    public const string Relayed = "relayed";
    public const string Echo = "suppressed-echo";
    public const string Duplicate = "duplicate";
    public const string Skipped = "skipped";
    public const string Retried = "retried";
    public const string Faulted = "faulted";
    public const string Parked = "parked";
    public const string Replayed = "replayed";
    public const string Discarded = "discarded";
}

/// <summary>One step of one event: when, what, and what it said (the other side's answer, the echo tag, the reason).</summary>
internal sealed record DeliveryStep(DateTimeOffset At, string Step, string? Detail);

/// <summary>What the delivery ledger knows of one event: its direction, type, conversation, trace and steps in order.</summary>
internal sealed record DeliveryRecord(
    string Id,
    string? Direction,
    string? Type,
    string? Subject,
    string? TraceId,
    IReadOnlyList<DeliveryStep> Steps);

/// <summary>
/// Every event's steps with their times (<c>Ledger:TtlDays</c>), found by CloudEvent id or by a message id it carried
/// (IM <c>MsgKey</c>, group and <c>MsgSeq</c>, legacy message id). An event's steps are one list, each step one short
/// tab-separated line appended with its time to live, so a step is one write and redelivery at worst repeats a line.
/// A message id maps to a list of event ids: a delta and the echo it caused share a <c>MsgKey</c>.
/// </summary>
internal sealed class DeliveryLedger(IKeyValueStore store, IOptions<LedgerOptions> options, TimeProvider time)
{
    private TimeSpan Ttl => TimeSpan.FromDays(options.Value.TtlDays);

    /// <summary>
    /// Appends <paramref name="steps"/> to the event's list and, when <paramref name="ids"/> names the message, the event
    /// id to each of its ids' lists. All writes at once: independent keys, one round trip.
    /// </summary>
    public Task RecordAsync(string eventId, IReadOnlyList<string> steps, MessageTarget? ids = null)
    {
        var ttl = Ttl;
        var writes = new List<Task>(4) { store.ListAppendAsync(RedisKeys.DeliverySteps(eventId), steps, ttl) };
        foreach (var key in IdKeys(eventId, ids))
        {
            writes.Add(store.ListAppendAsync(key, [eventId], ttl));
        }
        return Task.WhenAll(writes);
    }

    /// <summary>The <c>received</c> line: the relay's first look at the event, timed by when the intake accepted it.</summary>
    public static string Received(DateTimeOffset receivedAt, RelayDirection direction, string type, string subject, string? traceId)
        => Line(receivedAt, DeliverySteps.Received, string.Join('\t', direction.Name, type, subject, traceId ?? ""));

    /// <summary>A step line timed now.</summary>
    public string Step(string step, string? detail = null) => Line(time.GetUtcNow(), step, detail);

    /// <summary>The event's record; null when the ledger has none (never seen, or older than <c>Ledger:TtlDays</c>).</summary>
    public async Task<DeliveryRecord?> FindAsync(string eventId)
    {
        var lines = await store.ListRangeAsync(RedisKeys.DeliverySteps(eventId));
        return lines.Count == 0 ? null : Parse(eventId, lines);
    }

    /// <summary>Every event that carried the message with IM's <c>MsgKey</c> <paramref name="msgKey"/>.</summary>
    public Task<IReadOnlyList<DeliveryRecord>> FindByMsgKeyAsync(string msgKey) => FindAllAsync(RedisKeys.DeliveriesByMsgKey(msgKey));

    /// <summary>Every event that carried the group message <paramref name="groupId"/> / <paramref name="msgSeq"/>.</summary>
    public Task<IReadOnlyList<DeliveryRecord>> FindByGroupSeqAsync(string groupId, long msgSeq) => FindAllAsync(RedisKeys.DeliveriesByGroupSeq(groupId, msgSeq));

    /// <summary>Every event that carried the message with the legacy id <paramref name="legacyMessageId"/> (an event with that id too).</summary>
    public Task<IReadOnlyList<DeliveryRecord>> FindByLegacyIdAsync(string legacyMessageId) => FindAllAsync(RedisKeys.DeliveriesByLegacyId(legacyMessageId), legacyMessageId);

    private async Task<IReadOnlyList<DeliveryRecord>> FindAllAsync(string indexKey, string? alsoEventId = null)
    {
        var indexed = await store.ListRangeAsync(indexKey);
        var ids = (alsoEventId is null ? indexed : indexed.Prepend(alsoEventId)).Distinct(StringComparer.Ordinal).ToList();
        var records = await Task.WhenAll(ids.Select(FindAsync));
        return [.. records.OfType<DeliveryRecord>()];
    }

    private static IEnumerable<string> IdKeys(string eventId, MessageTarget? ids)
    {
        if (ids is null)
        {
            yield break;
        }
        // A legacy id that is the event's own id (a message born in IM, a delta without legacyMessageId) is found
        // without an index key: a quarter of an event's bytes saved.
        if (ids.LegacyMessageId is { } legacyId && legacyId != eventId)
        {
            yield return RedisKeys.DeliveriesByLegacyId(legacyId);
        }
        if (ids.MsgKey is { } msgKey)
        {
            yield return RedisKeys.DeliveriesByMsgKey(msgKey);
        }
        if (ids is { GroupId: { } groupId, MsgSeq: { } msgSeq })
        {
            yield return RedisKeys.DeliveriesByGroupSeq(groupId, msgSeq);
        }
    }

    // Unix milliseconds, step, detail: a few dozen bytes where JSON would spend as much again on names.
    private static string Line(DateTimeOffset at, string step, string? detail)
        => string.Create(CultureInfo.InvariantCulture, $"{at.ToUnixTimeMilliseconds()}\t{step}\t{detail?.ReplaceLineEndings(" ")}");

    private static DeliveryRecord Parse(string eventId, IReadOnlyList<string> lines)
    {
        string? direction = null, type = null, subject = null, traceId = null;
        var steps = new List<DeliveryStep>(lines.Count);
        foreach (var line in lines)
        {
            var parts = line.Split('\t', 3);
            var at = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[0], CultureInfo.InvariantCulture));
            var step = parts.Length > 1 ? parts[1] : "";
            var detail = parts.Length > 2 && parts[2].Length > 0 ? parts[2] : null;
            if (step == DeliverySteps.Received && detail?.Split('\t') is [var d, var t, var s, var trace])
            {
                (direction, type, subject, traceId) = (d, t, s, trace.Length > 0 ? trace : null);
                detail = null;
            }
            steps.Add(new DeliveryStep(at, step, detail));
        }
        // Appended in order per event; the received line carries the intake's time, so a stable sort by time keeps the rest in place.
        return new DeliveryRecord(eventId, direction, type, subject, traceId, [.. steps.OrderBy(s => s.At)]);
    }
}
