using System.Globalization;
using SyncGateway.Contracts;
using SyncGateway.Store;

namespace SyncGateway.Messaging;

/// <summary>
/// Parked conversations, per direction (docs/operations.md, Parking). An event that kept failing transiently for
/// <see cref="SyncOptions.ParkAfterSeconds"/> is moved, whole, into its conversation's parking list in the store, and
/// every later event of that conversation is appended behind it instead of being relayed, so the relay queue flows
/// and the conversation keeps its order. <see cref="ParkingWorker"/> retries each list's head. A conversation is
/// parked exactly while its list is not empty: the store deletes an emptied list, so "un-park" and "append behind"
/// cannot interleave. This is also the read side the admin API lists (<see cref="ListAsync"/>, <see cref="CountAsync"/>).
/// </summary>
internal sealed class ConversationParking(IKeyValueStore store, TimeProvider time)
{
    // Details only say why; losing them to expiry after a month loses no event (the list never expires).
    private static readonly TimeSpan DetailsTtl = TimeSpan.FromDays(30);

    /// <summary>How long one holder keeps a conversation's lock at most: outlasts one relay, HTTP attempts included.</summary>
    internal static readonly TimeSpan LockTtl = TimeSpan.FromMinutes(2);

    /// <summary>Appends <paramref name="evt"/> behind its parked conversation; false when the conversation is not parked.</summary>
    public async Task<bool> AppendIfParkedAsync(RelayDirection direction, ISyncEvent evt)
    {
        var list = RedisKeys.ParkedEvents(direction, evt.Meta.Subject);
        // Most conversations are not parked: a length costs less than serialising every event.
        if (await store.ListLengthAsync(list) == 0 || await store.ListAppendAsync(list, StoredEvents.Serialize(evt), onlyIfExists: true) == 0)
        {
            return false;
        }
        // A park whose index write failed (Redis went away in between) is indexed by the next event behind it.
        await store.SortedSetAddAsync(RedisKeys.ParkedDue(direction), evt.Meta.Subject, time.GetUtcNow().ToUnixTimeMilliseconds(), onlyIfAbsent: true);
        await store.EnsureReplicatedAsync([list, RedisKeys.ParkedDue(direction)]);
        return true;
    }

    /// <summary>
    /// Parks <paramref name="evt"/> (and so its conversation) after <paramref name="attempts"/> failed tries since
    /// <paramref name="firstFailure"/>; its first retry is due after <paramref name="firstRetry"/>.
    /// </summary>
    public async Task ParkAsync(RelayDirection direction, ISyncEvent evt, int attempts, DateTimeOffset firstFailure, string reason, TimeSpan firstRetry)
    {
        var conversation = evt.Meta.Subject;
        var now = time.GetUtcNow();
        await store.HashSetAsync(RedisKeys.ParkedDetails(direction, conversation),
        [
            new(Fields.Since, Ms(now)),
            new(Fields.Attempts, attempts.ToString(CultureInfo.InvariantCulture)),
            new(Fields.FirstFailure, Ms(firstFailure)),
            new(Fields.LastFailure, Ms(now)),
            new(Fields.Reason, reason),
        ], DetailsTtl);
        var list = RedisKeys.ParkedEvents(direction, conversation);
        await store.ListAppendAsync(list, StoredEvents.Serialize(evt));
        // After the list: the worker, finding a due conversation with no list, takes it off the index.
        await store.SortedSetAddAsync(RedisKeys.ParkedDue(direction), conversation, (now + firstRetry).ToUnixTimeMilliseconds());
        await store.EnsureReplicatedAsync([list, RedisKeys.ParkedDue(direction)]);
    }

    /// <summary>
    /// Queues a replayed event in its conversation's parking list and makes the conversation due now, so
    /// <see cref="ParkingWorker"/> relays it and every event of the conversation that arrives meanwhile waits behind it.
    /// Among events already held there it takes its place by its time: before the first later one, but never before a
    /// head the worker is relaying right now (the conversation's lock held by another).
    /// </summary>
    public async Task ReplayAsync(RelayDirection direction, ISyncEvent evt)
    {
        var conversation = evt.Meta.Subject;
        var list = RedisKeys.ParkedEvents(direction, conversation);
        var raw = StoredEvents.Serialize(evt);
        var owner = await TryLockAsync(direction, conversation);
        try
        {
            if (!await InsertByTimeAsync(list, raw, evt.Meta.Time, fromIndex: owner is null ? 1 : 0))
            {
                await store.ListAppendAsync(list, raw);
            }
        }
        finally
        {
            await UnlockAsync(direction, conversation, owner);
        }
        var now = time.GetUtcNow();
        if (await store.HashGetAsync(RedisKeys.ParkedDetails(direction, conversation), [Fields.Since]) is [null])
        {
            await store.HashSetAsync(RedisKeys.ParkedDetails(direction, conversation), [new(Fields.Since, Ms(now)), new(Fields.Reason, "replayed by an operator")], DetailsTtl);
        }
        await store.SortedSetAddAsync(RedisKeys.ParkedDue(direction), conversation, now.ToUnixTimeMilliseconds());
    }

    /// <summary>Makes a parked conversation's next try due now; false when it is not parked.</summary>
    public async Task<bool> RetryNowAsync(RelayDirection direction, string conversation)
    {
        if (await store.ListLengthAsync(RedisKeys.ParkedEvents(direction, conversation)) == 0)
        {
            return false;
        }
        await store.SortedSetAddAsync(RedisKeys.ParkedDue(direction), conversation, time.GetUtcNow().ToUnixTimeMilliseconds());
        return true;
    }

    /// <summary>
    /// Drops a parked conversation's head when it is still <paramref name="eventId"/>, so the conversation goes on with the
    /// next; null when the head is being relayed right now (try again), else whether it was dropped.
    /// </summary>
    public async Task<bool?> DiscardHeadAsync(RelayDirection direction, string conversation, string eventId)
    {
        if (await TryLockAsync(direction, conversation) is not { } owner)
        {
            return null;
        }
        try
        {
            if (await HeadAsync(direction, conversation) is not { } head || (head.Event?.Meta.Id ?? "") != eventId)
            {
                return false;
            }
            if (await RemoveHeadAsync(direction, conversation, head.Raw))
            {
                await UnparkAsync(direction, conversation);
            }
            else
            {
                await store.SortedSetAddAsync(RedisKeys.ParkedDue(direction), conversation, time.GetUtcNow().ToUnixTimeMilliseconds());
            }
            return true;
        }
        finally
        {
            await UnlockAsync(direction, conversation, owner);
        }
    }

    /// <summary>
    /// Inserts <paramref name="raw"/> before the first held event, from <paramref name="fromIndex"/> on, that is later
    /// than <paramref name="at"/>; false when there is none (or the list keeps changing under it).
    /// </summary>
    private async Task<bool> InsertByTimeAsync(string list, string raw, DateTimeOffset at, int fromIndex)
    {
        for (var tries = 0; tries < 3; tries++)
        {
            var pivot = (await store.ListRangeAsync(list)).Skip(fromIndex).FirstOrDefault(e => StoredEvents.Deserialize(e).Event?.Meta.Time > at);
            if (pivot is null)
            {
                return false;
            }
            // -1: the pivot was relayed and removed meanwhile; look again.
            if (await store.ListInsertBeforeAsync(list, pivot, raw) > 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The conversation's lock, as <see cref="ParkingWorker"/> takes it, with a new owner; null when another holds it.</summary>
    private async Task<string?> TryLockAsync(RelayDirection direction, string conversation)
    {
        var owner = Guid.NewGuid().ToString("N");
        return await store.SetValueAsync(RedisKeys.ParkLock(direction, conversation), owner, LockTtl, onlyIfAbsent: true) ? owner : null;
    }

    private async Task UnlockAsync(RelayDirection direction, string conversation, string? owner)
    {
        var key = RedisKeys.ParkLock(direction, conversation);
        if (owner is not null && await store.GetValueAsync(key) == owner)
        {
            await store.DeleteAsync(key);
        }
    }

    /// <summary>Conversations of <paramref name="direction"/> whose next try is due now, oldest due first.</summary>
    public async Task<IReadOnlyList<string>> DueAsync(RelayDirection direction, int take)
        => [.. (await store.SortedSetRangeByScoreAsync(RedisKeys.ParkedDue(direction), 0, time.GetUtcNow().ToUnixTimeMilliseconds(), take)).Select(m => m.Member)];

    /// <summary>The head of a parked conversation: its raw entry (to remove it by) and the event, or null when none.</summary>
    public async Task<ParkedHead?> HeadAsync(RelayDirection direction, string conversation)
    {
        if (await store.ListHeadAsync(RedisKeys.ParkedEvents(direction, conversation)) is not { } raw)
        {
            return null;
        }
        var (evt, problem) = StoredEvents.Deserialize(raw);
        return new ParkedHead(raw, evt, problem);
    }

    /// <summary>Removes the head once it is delivered or faulted; true when the conversation is no longer parked.</summary>
    public async Task<bool> RemoveHeadAsync(RelayDirection direction, string conversation, string raw)
    {
        var left = await store.ListRemoveHeadAsync(RedisKeys.ParkedEvents(direction, conversation), raw);
        // The next head starts its own count of tries.
        await store.HashDeleteAsync(RedisKeys.ParkedDetails(direction, conversation), [Fields.Attempts, Fields.FirstFailure, Fields.LastFailure, Fields.Reason]);
        return left == 0;
    }

    /// <summary>Notes another failed try of the head and when the next one is due.</summary>
    public async Task NoteFailureAsync(RelayDirection direction, string conversation, string reason, DateTimeOffset nextTry)
    {
        var details = RedisKeys.ParkedDetails(direction, conversation);
        var known = await store.HashGetAsync(details, [Fields.Attempts, Fields.FirstFailure]);
        var attempts = (known[0] is { } a ? int.Parse(a, CultureInfo.InvariantCulture) : 0) + 1;
        var now = time.GetUtcNow();
        await store.HashSetAsync(details,
        [
            new(Fields.Attempts, attempts.ToString(CultureInfo.InvariantCulture)),
            new(Fields.FirstFailure, known[1] ?? Ms(now)),
            new(Fields.LastFailure, Ms(now)),
            new(Fields.Reason, reason),
        ], DetailsTtl);
        await store.SortedSetAddAsync(RedisKeys.ParkedDue(direction), conversation, nextTry.ToUnixTimeMilliseconds());
    }

    /// <summary>How many tries the head has failed since it became the head (0 when none is recorded), and when the first did.</summary>
    public async Task<(int Attempts, DateTimeOffset? FirstFailure)> HeadFailuresAsync(RelayDirection direction, string conversation)
    {
        var known = await store.HashGetAsync(RedisKeys.ParkedDetails(direction, conversation), [Fields.Attempts, Fields.FirstFailure]);
        return (known[0] is { } a ? int.Parse(a, CultureInfo.InvariantCulture) : 0,
            known[1] is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(ms, CultureInfo.InvariantCulture)) : null);
    }

    /// <summary>Takes a conversation whose list is empty off the index; a consumer that parked it again meanwhile keeps it on.</summary>
    public async Task UnparkAsync(RelayDirection direction, string conversation)
    {
        var due = RedisKeys.ParkedDue(direction);
        await store.SortedSetRemoveAsync(due, conversation);
        await store.DeleteAsync(RedisKeys.ParkedDetails(direction, conversation));
        // A consumer parks with list first, index second: checking the list after the removal catches one in between.
        if (await store.ListLengthAsync(RedisKeys.ParkedEvents(direction, conversation)) > 0)
        {
            await store.SortedSetAddAsync(due, conversation, time.GetUtcNow().ToUnixTimeMilliseconds());
        }
    }

    /// <summary>Up to <paramref name="take"/> parked conversations of <paramref name="direction"/>, soonest due first, with their head and details.</summary>
    public async Task<IReadOnlyList<ParkedConversation>> ListAsync(RelayDirection direction, int take = 1000)
    {
        var parked = new List<ParkedConversation>();
        foreach (var member in await store.SortedSetRangeByScoreAsync(RedisKeys.ParkedDue(direction), double.NegativeInfinity, double.PositiveInfinity, take))
        {
            var conversation = member.Member;
            var events = await store.ListLengthAsync(RedisKeys.ParkedEvents(direction, conversation));
            if (events == 0)
            {
                continue;
            }
            var head = await HeadAsync(direction, conversation);
            var details = await store.HashGetAllAsync(RedisKeys.ParkedDetails(direction, conversation));
            parked.Add(new ParkedConversation(
                direction,
                conversation,
                events,
                head?.Event?.Meta.Id,
                head?.Event?.Meta.Type,
                details.GetValueOrDefault(Fields.Reason) ?? head?.Problem,
                details.TryGetValue(Fields.Attempts, out var attempts) ? int.Parse(attempts, CultureInfo.InvariantCulture) : 0,
                Time(details, Fields.Since),
                Time(details, Fields.FirstFailure),
                Time(details, Fields.LastFailure),
                DateTimeOffset.FromUnixTimeMilliseconds((long)member.Score)));
        }
        return parked;
    }

    /// <summary>Parked conversations and events of <paramref name="direction"/>, and since when the oldest is parked.</summary>
    public async Task<ParkingCounts> CountAsync(RelayDirection direction, int take = 10_000)
    {
        var parked = await ListAsync(direction, take);
        return new ParkingCounts(direction, parked.Count, parked.Sum(p => p.Events), parked.Min(p => p.ParkedSince));
    }

    private static string Ms(DateTimeOffset at) => at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(IReadOnlyDictionary<string, string> details, string field)
        => details.TryGetValue(field, out var ms) ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(ms, CultureInfo.InvariantCulture)) : null;

    private static class Fields
    {
        public const string Since = "since";
        public const string Attempts = "attempts";
        public const string FirstFailure = "first";
        public const string LastFailure = "last";
        public const string Reason = "reason";
    }
}

/// <summary>The head of a parking list: <paramref name="Raw"/> as stored, and the event, or why it cannot be read.</summary>
internal sealed record ParkedHead(string Raw, ISyncEvent? Event, string? Problem);

/// <summary>
/// One parked conversation as the admin API shows it: its events waiting (head included), the head's id and type, the
/// last failure's reason, the head's failed tries, when it was parked, the head's first and last failure, and the
/// next try.
/// </summary>
internal sealed record ParkedConversation(
    RelayDirection Direction,
    string Conversation,
    long Events,
    string? HeadEventId,
    string? HeadEventType,
    string? Reason,
    int Attempts,
    DateTimeOffset? ParkedSince,
    DateTimeOffset? FirstFailure,
    DateTimeOffset? LastFailure,
    DateTimeOffset NextTry);

/// <summary>A direction's parked conversations and events, and since when the oldest of them is parked (null when none is).</summary>
internal sealed record ParkingCounts(RelayDirection Direction, int Conversations, long Events, DateTimeOffset? OldestParkedSince);
