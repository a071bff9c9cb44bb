using System.Globalization;
using SyncGateway.Contracts;
using SyncGateway.Store;

namespace SyncGateway.Messaging;

/// <summary>
/// Events that failed permanently (legacy's 4xx, a permanent IM error): kept whole in the store, with why and when,
/// until an operator replays or discards them through the admin API, while their conversation goes on. An event that
/// cannot be recorded here (the store away) goes to its direction's error queue instead, as before.
/// </summary>
internal sealed class FaultedEvents(IKeyValueStore store, TimeProvider time)
{
    // A fault waits for an operator: long enough that none is lost to expiry, bounded so a forgotten one is not forever.
    internal static readonly TimeSpan Ttl = TimeSpan.FromDays(365);

    /// <summary>
    /// Records <paramref name="evt"/> as faulted after <paramref name="attempts"/> tries since
    /// <paramref name="firstFailure"/>; a fault recorded again (a replay that failed again) adds its tries and keeps its first failure.
    /// </summary>
    public async Task RecordAsync(RelayDirection direction, ISyncEvent evt, int attempts, DateTimeOffset firstFailure, string reason)
    {
        var key = RedisKeys.Fault(direction, evt.Meta.Id);
        var known = await store.HashGetAsync(key, [Fields.Attempts, Fields.FirstFailure]);
        var first = known[1] is { } ms ? ms : Ms(firstFailure);
        await store.HashSetAsync(key,
        [
            new(Fields.Type, evt.Meta.Type),
            new(Fields.Conversation, evt.Meta.Subject),
            new(Fields.Reason, reason),
            new(Fields.Attempts, ((known[0] is { } a ? int.Parse(a, CultureInfo.InvariantCulture) : 0) + attempts).ToString(CultureInfo.InvariantCulture)),
            new(Fields.FirstFailure, first),
            new(Fields.LastFailure, Ms(time.GetUtcNow())),
            new(Fields.Event, StoredEvents.Serialize(evt)),
        ], Ttl);
        await store.SortedSetAddAsync(RedisKeys.Faults(direction), evt.Meta.Id, double.Parse(first, CultureInfo.InvariantCulture));
        await store.EnsureReplicatedAsync([key, RedisKeys.Faults(direction)]);
    }

    /// <summary>The faulted event <paramref name="eventId"/> of <paramref name="direction"/>; null when there is none.</summary>
    public async Task<FaultRecord?> FindAsync(RelayDirection direction, string eventId)
    {
        var fields = await store.HashGetAllAsync(RedisKeys.Fault(direction, eventId));
        return fields.Count == 0 ? null : Read(direction, eventId, fields);
    }

    /// <summary>Up to <paramref name="take"/> faulted events of <paramref name="direction"/>, oldest first.</summary>
    public async Task<IReadOnlyList<FaultRecord>> ListAsync(RelayDirection direction, int take)
    {
        var faults = new List<FaultRecord>();
        foreach (var member in await store.SortedSetRangeByScoreAsync(RedisKeys.Faults(direction), double.NegativeInfinity, double.PositiveInfinity, take))
        {
            if (await FindAsync(direction, member.Member) is { } fault)
            {
                faults.Add(fault);
            }
            else
            {
                // Expired, or removed between the index read and this one.
                await store.SortedSetRemoveAsync(RedisKeys.Faults(direction), member.Member);
            }
        }
        return faults;
    }

    /// <summary>How many faulted events <paramref name="direction"/> holds.</summary>
    public Task<long> CountAsync(RelayDirection direction) => store.SortedSetLengthAsync(RedisKeys.Faults(direction));

    /// <summary>Forgets the faulted event (replayed or discarded).</summary>
    public async Task RemoveAsync(RelayDirection direction, string eventId)
    {
        await store.SortedSetRemoveAsync(RedisKeys.Faults(direction), eventId);
        await store.DeleteAsync(RedisKeys.Fault(direction, eventId));
    }

    private static FaultRecord Read(RelayDirection direction, string eventId, IReadOnlyDictionary<string, string> fields)
    {
        var raw = fields.GetValueOrDefault(Fields.Event) ?? "";
        var (evt, problem) = StoredEvents.Deserialize(raw);
        return new FaultRecord(
            direction,
            eventId,
            fields.GetValueOrDefault(Fields.Type) ?? "",
            fields.GetValueOrDefault(Fields.Conversation) ?? "",
            fields.GetValueOrDefault(Fields.Reason) ?? problem ?? "",
            fields.TryGetValue(Fields.Attempts, out var attempts) ? int.Parse(attempts, CultureInfo.InvariantCulture) : 0,
            Time(fields, Fields.FirstFailure),
            Time(fields, Fields.LastFailure),
            raw,
            evt);
    }

    private static string Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(IReadOnlyDictionary<string, string> fields, string field)
        => fields.TryGetValue(field, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(ms, CultureInfo.InvariantCulture)) : null;

    private static class Fields
    {
        public const string Type = "type";
        public const string Conversation = "subject";
        public const string Reason = "reason";
        public const string Attempts = "attempts";
        public const string FirstFailure = "first";
        public const string LastFailure = "last";
        public const string Event = "event";
    }
}

/// <summary>
/// One faulted event: its type and conversation, the last failure's reason, its tries, first and last failure, the
/// stored entry (<see cref="StoredEvents"/>) and the event read from it (null when this version cannot read it).
/// </summary>
internal sealed record FaultRecord(
    RelayDirection Direction,
    string Id,
    string Type,
    string Conversation,
    string Reason,
    int Attempts,
    DateTimeOffset? FirstFailure,
    DateTimeOffset? LastFailure,
    string Raw,
    ISyncEvent? Event);
