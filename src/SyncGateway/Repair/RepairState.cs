using Microsoft.Extensions.Options;
using SyncGateway.Hosting;
using SyncGateway.Ledger;
using SyncGateway.Store;

namespace SyncGateway.Repair;

/// <summary>
/// What the gap repair remembers in the store: per group (or topic) the highest <c>MsgSeq</c> seen and the holes below
/// it, the groups with holes, the groups and 1:1 conversations recently active, and the per-group repair lock. Written
/// on the relay path for every message seen either way (relayed to legacy, suppressed as an echo, written to IM by the
/// gateway); does nothing when the repair is off.
/// </summary>
internal sealed class RepairState(IKeyValueStore store, IOptions<RepairOptions> options, RepairSwitch repairSwitch, SyncTelemetry telemetry, TimeProvider time)
{
    private RepairOptions Options => options.Value;

    /// <summary>The message <paramref name="entry"/> names was seen (relayed, or written to IM by the gateway); null = not a message.</summary>
    public Task MessageSeenAsync(LedgerEntry? entry)
        => entry switch
        {
            { GroupId: { } groupId, MsgSeq: { } msgSeq } => GroupMessageSeenAsync(new GroupRef(groupId, entry.TopicId), msgSeq),
            { To: { } to } => C2CMessageSeenAsync(entry.From, to),
            _ => Task.CompletedTask,
        };

    /// <summary>
    /// Group message <paramref name="msgSeq"/> was seen: it is no hole, and a jump above the highest opens holes for the
    /// seqs between. Also marks the group active.
    /// </summary>
    public async Task GroupMessageSeenAsync(GroupRef group, long msgSeq)
    {
        if (!repairSwitch.On)
        {
            return;
        }
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var advance = store.AdvanceSequenceAsync(RedisKeys.GroupSequence(group.Key), msgSeq, SequenceMark.Seen, now, Options.MaxHolesPerJump, Options.StateTtl);
        await Task.WhenAll(advance, store.SortedSetAddAsync(RedisKeys.ActiveGroups, group.Key, now));
        await IndexHolesAsync(group, advance.Result, now);
    }

    /// <summary>IM reports messages up to <paramref name="newestSeq"/>: the unseen ones above the highest seen become holes.</summary>
    public async Task<SequenceChange> GroupHasMessagesUpToAsync(GroupRef group, long newestSeq)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var change = await store.AdvanceSequenceAsync(RedisKeys.GroupSequence(group.Key), newestSeq, SequenceMark.Exists, now, Options.MaxHolesPerJump, Options.StateTtl);
        await IndexHolesAsync(group, change, now);
        return change;
    }

    /// <summary>A 1:1 message of <paramref name="from"/> and <paramref name="to"/> was seen: the conversation is active.</summary>
    public Task C2CMessageSeenAsync(string from, string to)
        => repairSwitch.On
            ? store.SortedSetAddAsync(RedisKeys.ActiveConversations, C2CPair.Of(from, to).Key, time.GetUtcNow().ToUnixTimeMilliseconds())
            : Task.CompletedTask;

    public async Task<IReadOnlyList<GroupRef>> ActiveGroupsAsync(DateTimeOffset since, int take)
        => Parse(await store.SortedSetRangeByScoreAsync(RedisKeys.ActiveGroups, since.ToUnixTimeMilliseconds(), double.PositiveInfinity, take), GroupRef.Parse);

    /// <summary>Groups with a hole found at or before <paramref name="foundBy"/>, oldest first.</summary>
    public async Task<IReadOnlyList<GroupRef>> GroupsWithHolesAsync(DateTimeOffset foundBy, int take)
        => Parse(await store.SortedSetRangeByScoreAsync(RedisKeys.GroupsWithHoles, double.NegativeInfinity, foundBy.ToUnixTimeMilliseconds(), take), GroupRef.Parse);

    public async Task<IReadOnlyList<C2CPair>> ConversationsActiveSinceAsync(DateTimeOffset since, int take)
        => Parse(await store.SortedSetRangeByScoreAsync(RedisKeys.ActiveConversations, since.ToUnixTimeMilliseconds(), double.PositiveInfinity, take), C2CPair.Parse);

    public Task<SequenceState?> SequenceAsync(GroupRef group) => store.GetSequenceAsync(RedisKeys.GroupSequence(group.Key));

    /// <summary>
    /// Closes <paramref name="seqs"/> of <paramref name="group"/>. The group leaves the index first and returns with its
    /// oldest remaining hole, so a hole opened meanwhile is never left out of it.
    /// </summary>
    public async Task CloseAsync(GroupRef group, IReadOnlyCollection<long> seqs)
    {
        await store.SortedSetRemoveAsync(RedisKeys.GroupsWithHoles, group.Key);
        var left = await store.CloseHolesAsync(RedisKeys.GroupSequence(group.Key), seqs);
        if (left > 0 && await SequenceAsync(group) is { Holes.Count: > 0 } state)
        {
            await store.SortedSetAddAsync(RedisKeys.GroupsWithHoles, group.Key, state.Holes.Values.Min());
        }
    }

    /// <summary>Files <paramref name="group"/> for a comparison of its members and profile with IM's.</summary>
    public Task StateComparisonDueAsync(GroupRef group)
        => store.SortedSetAddAsync(RedisKeys.GroupsWithStateDue, group.Key, time.GetUtcNow().ToUnixTimeMilliseconds(), onlyIfAbsent: true);

    /// <summary>Groups filed for a state comparison, longest waiting first.</summary>
    public async Task<IReadOnlyList<GroupRef>> GroupsWithStateComparisonDueAsync(int take)
        => Parse(await store.SortedSetRangeByScoreAsync(RedisKeys.GroupsWithStateDue, double.NegativeInfinity, double.PositiveInfinity, take), GroupRef.Parse);

    public Task StateComparedAsync(GroupRef group) => store.SortedSetRemoveAsync(RedisKeys.GroupsWithStateDue, group.Key);

    /// <summary>A dismissed group: nothing of it is left to repair or check.</summary>
    public Task ForgetGroupAsync(GroupRef group)
        => Task.WhenAll(
            store.DeleteAsync(RedisKeys.GroupSequence(group.Key)),
            store.SortedSetRemoveAsync(RedisKeys.GroupsWithHoles, group.Key),
            store.SortedSetRemoveAsync(RedisKeys.GroupsWithStateDue, group.Key),
            store.SortedSetRemoveAsync(RedisKeys.ActiveGroups, group.Key));

    /// <summary>Drops what is older than the state's time to live from the activity indexes.</summary>
    public Task TrimAsync()
    {
        var before = (time.GetUtcNow() - Options.StateTtl).ToUnixTimeMilliseconds();
        return Task.WhenAll(
            store.SortedSetRemoveRangeByScoreAsync(RedisKeys.ActiveGroups, double.NegativeInfinity, before),
            store.SortedSetRemoveRangeByScoreAsync(RedisKeys.ActiveConversations, double.NegativeInfinity, before));
    }

    /// <summary>Takes the lock on repairing <paramref name="group"/>; false when another replica holds it.</summary>
    public Task<bool> TryLockAsync(GroupRef group, string owner, TimeSpan ttl)
        => store.SetValueAsync(RedisKeys.GroupRepairLock(group.Key), owner, ttl, onlyIfAbsent: true);

    public Task UnlockAsync(GroupRef group) => store.DeleteAsync(RedisKeys.GroupRepairLock(group.Key));

    /// <summary>True for the one replica that runs the tail check of the interval now starting.</summary>
    public Task<bool> TryTakeTailCheckAsync(string owner, TimeSpan interval)
        => store.SetValueAsync(RedisKeys.TailCheckLock, owner, interval * 0.9, onlyIfAbsent: true);

    private Task IndexHolesAsync(GroupRef group, SequenceChange change, long now)
    {
        telemetry.RecordRepair(GroupRepairer.Kind, "found", change.HolesOpened + change.HolesSkipped);
        telemetry.RecordRepair(GroupRepairer.Kind, RepairReport.Names.Of(RepairOutcome.Unrepairable), change.HolesSkipped);
        return change.HolesOpened > 0 ? store.SortedSetAddAsync(RedisKeys.GroupsWithHoles, group.Key, now, onlyIfAbsent: true) : Task.CompletedTask;
    }

    private static List<T> Parse<T>(IReadOnlyList<ScoredMember> members, Func<string, T?> parse)
        where T : class
        => [.. members.Select(m => parse(m.Member)).OfType<T>()];
}

/// <summary>Whether the automatic repair runs in this process (<see cref="RepairOptions.IsOn"/>).</summary>
internal sealed record RepairSwitch(bool On);
