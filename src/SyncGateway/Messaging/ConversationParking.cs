using System.Globalization;
using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Events;
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
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Details only say why; losing them to expiry after a month loses no event (the list never expires).
    private static readonly TimeSpan DetailsTtl = TimeSpan.FromDays(30);

    /// <summary>Appends <paramref name="evt"/> behind its parked conversation; false when the conversation is not parked.</summary>
    public async Task<bool> AppendIfParkedAsync(RelayDirection direction, ISyncEvent evt)
    {
        var list = RedisKeys.ParkedEvents(direction, evt.Meta.Subject);
        // Most conversations are not parked: a length costs less than serialising every event.
        if (await store.ListLengthAsync(list) == 0 || await store.ListAppendAsync(list, Serialize(evt), onlyIfExists: true) == 0)
        {
            return false;
        }
        // A park whose index write failed (Redis went away in between) is indexed by the next event behind it.
        await store.SortedSetAddAsync(RedisKeys.ParkedDue(direction), evt.Meta.Subject, time.GetUtcNow().ToUnixTimeMilliseconds(), onlyIfAbsent: true);
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
        await store.ListAppendAsync(RedisKeys.ParkedEvents(direction, conversation), Serialize(evt));
        // After the list: the worker, finding a due conversation with no list, takes it off the index.
        await store.SortedSetAddAsync(RedisKeys.ParkedDue(direction), conversation, (now + firstRetry).ToUnixTimeMilliseconds());
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
        var (evt, problem) = Deserialize(raw);
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

    /// <summary>How many tries the head has failed since it became the head (0 when none is recorded).</summary>
    public async Task<int> AttemptsAsync(RelayDirection direction, string conversation)
        => (await store.HashGetAsync(RedisKeys.ParkedDetails(direction, conversation), [Fields.Attempts]))[0] is { } a ? int.Parse(a, CultureInfo.InvariantCulture) : 0;

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

    private static string Serialize(ISyncEvent evt)
        => JsonSerializer.Serialize(new ParkedEntry(evt.Meta.Type, JsonSerializer.SerializeToElement(evt, evt.GetType(), Json)), Json);

    private static (ISyncEvent? Event, string? Problem) Deserialize(string raw)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<ParkedEntry>(raw, Json) ?? throw new JsonException("the entry is null");
            if (!EventCatalog.MessageTypeOf.TryGetValue(entry.Type, out var messageType))
            {
                return (null, $"this version does not know the event type {entry.Type}");
            }
            return (entry.Event.Deserialize(messageType, Json) as ISyncEvent ?? throw new JsonException("the event is null"), null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Message);
        }
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

    /// <summary>One element of a parking list: the CloudEvents type (to find the bus message type) and the whole event.</summary>
    private sealed record ParkedEntry(string Type, JsonElement Event);
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
