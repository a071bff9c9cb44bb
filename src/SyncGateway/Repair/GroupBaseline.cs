using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Store;

namespace SyncGateway.Repair;

/// <summary>
/// Each group's state as the gateway last relayed it, which the group state repair compares with IM's: one hash per
/// group with a field per member (<c>m:{account}</c>, valued with a stamp of the event that added it), per profile field
/// (<c>p:{field}</c>, valued with a fingerprint of its value) and <c>complete</c> once the member set is whole (the group
/// was created through the gateway, or the repair recorded IM's member list), and <c>rj:</c>/<c>rl:{account}</c> for a
/// join or exit the repair relayed (see <see cref="RepairingAsync"/>). Written for group created, members
/// joined and left, profile changed and dismissed events, relayed to legacy, suppressed as echoes or written to IM by
/// the gateway; never for messages. Does nothing when the repair is off.
/// </summary>
internal sealed class GroupBaseline(IKeyValueStore store, IOptions<RepairOptions> options, RepairSwitch repairSwitch)
{
    private const string MemberPrefix = "m:";
    private const string ProfilePrefix = "p:";
    private const string CompleteField = "complete";
    private const string RepairedJoinPrefix = "rj:";
    private const string RepairedExitPrefix = "rl:";

    /// <summary>The profile fields compared with IM's <c>get_group_info</c> (custom fields need a filter naming each, so they are not).</summary>
    public static readonly IReadOnlyList<string> ProfileFields = ["name", "introduction", "notification", "faceUrl"];

    /// <summary>The group state event <paramref name="data"/> was seen (<paramref name="stamp"/>: its event id); other events change nothing.</summary>
    public Task SeenAsync<TData>(string stamp, TData data)
        where TData : class
        => !repairSwitch.On ? Task.CompletedTask : data switch
        {
            // A join ends what a repaired exit of the member said, and an exit what a repaired join said.
            GroupMembersJoinedData d => Task.WhenAll(SetAsync(d.GroupId, [.. Members(d.Members, stamp)]),
                store.HashDeleteAsync(Key(d.GroupId), [.. d.Members.Select(m => RepairedExitPrefix + m)])),
            GroupMembersLeftData d => store.HashDeleteAsync(Key(d.GroupId),
                [.. d.Members.Select(m => MemberPrefix + m), .. d.Members.Select(m => RepairedJoinPrefix + m)]),
            GroupProfileChangedData d => SetAsync(d.GroupId, [.. Profile(d)]),
            // The gateway knows a group it saw created whole; what its creation does not say (introduction, …) is recorded by the first check.
            GroupCreatedData d => SetAsync(d.GroupId,
            [
                .. Members(d.Owner is null ? d.Members ?? [] : [d.Owner, .. d.Members ?? []], stamp),
                new(ProfilePrefix + "name", Fingerprints.Hash(d.Name)),
                new(CompleteField, "1"),
            ]),
            GroupDismissedData d => ForgetAsync(d.GroupId),
            _ => Task.CompletedTask,
        };

    /// <summary>The baseline of <paramref name="groupId"/>; null while its member set is not whole (none recorded yet).</summary>
    public async Task<GroupSnapshot?> GetAsync(string groupId)
    {
        var fields = await store.HashGetAllAsync(Key(groupId));
        if (!fields.ContainsKey(CompleteField))
        {
            return null;
        }
        return new GroupSnapshot(
            fields.Where(f => f.Key.StartsWith(MemberPrefix, StringComparison.Ordinal)).ToDictionary(f => f.Key[MemberPrefix.Length..], f => f.Value, StringComparer.Ordinal),
            fields.Where(f => f.Key.StartsWith(ProfilePrefix, StringComparison.Ordinal)).ToDictionary(f => f.Key[ProfilePrefix.Length..], f => f.Value, StringComparer.Ordinal));
    }

    /// <summary>
    /// Records members <paramref name="joined"/> (account, stamp), <paramref name="left"/> and the profile
    /// <paramref name="profile"/> (field, value) of <paramref name="groupId"/>, and marks its member set whole.
    /// </summary>
    public Task UpdateAsync(string groupId, IEnumerable<(string Account, string Stamp)> joined, IReadOnlyCollection<string> left, IEnumerable<(string Field, string Value)> profile)
        => Task.WhenAll(
            SetAsync(groupId,
            [
                .. joined.Select(m => new KeyValuePair<string, string>(MemberPrefix + m.Account, m.Stamp)),
                .. profile.Select(p => new KeyValuePair<string, string>(ProfilePrefix + p.Field, Fingerprints.Hash(p.Value))),
                new(CompleteField, "1"),
            ]),
            store.HashDeleteAsync(Key(groupId), [.. left.Select(m => MemberPrefix + m)]));

    /// <summary>
    /// Notes the members a repaired joined or left event relays, before it is published: should the change's own
    /// callback come after all (it was late, not lost), <see cref="AlreadyRelayedAsync"/> drops it, since its id differs.
    /// </summary>
    public Task RepairingAsync(string groupId, IReadOnlyCollection<string> joined, IReadOnlyCollection<string> left)
        => SetAsync(groupId,
        [
            .. joined.Select(m => new KeyValuePair<string, string>(RepairedJoinPrefix + m, "1")),
            .. left.Select(m => new KeyValuePair<string, string>(RepairedExitPrefix + m, "1")),
        ]);

    /// <summary>
    /// For the members of an IM joined or left event, whether legacy has that change already; null for other events.
    /// Of a callback's event: the group state repair relayed it (its note, ended by the member's next opposite change).
    /// Of a repaired event: the callback came after all and was relayed first (the member is in, or out, already).
    /// Reads only: a redelivery gets the same answer.
    /// </summary>
    public async Task<IReadOnlyList<bool>?> AlreadyRelayedAsync<TData>(TData data, bool repaired)
        where TData : class
    {
        var (groupId, members, joined) = data switch
        {
            GroupMembersJoinedData d => (d.GroupId, d.Members, true),
            GroupMembersLeftData d => (d.GroupId, d.Members, false),
            _ => (null, null, false),
        };
        if (!repairSwitch.On || groupId is null)
        {
            return null;
        }
        var prefix = repaired ? MemberPrefix : joined ? RepairedJoinPrefix : RepairedExitPrefix;
        var found = await store.HashGetAsync(Key(groupId), [.. members!.Select(m => prefix + m)]);
        // A repaired exit is relayed already when its member is no longer in the baseline.
        return [.. found.Select(f => repaired && !joined ? f is null : f is not null)];
    }

    /// <summary>A dismissed group: nothing of it is left to compare.</summary>
    public Task ForgetAsync(string groupId) => store.DeleteAsync(Key(groupId));

    /// <summary>How the baseline holds <paramref name="value"/> of a profile field.</summary>
    public static string Fingerprint(string value) => Fingerprints.Hash(value);

    private Task SetAsync(string groupId, IReadOnlyCollection<KeyValuePair<string, string>> fields)
        => fields.Count == 0 ? Task.CompletedTask : store.HashSetAsync(Key(groupId), fields, options.Value.StateTtl);

    private static IEnumerable<KeyValuePair<string, string>> Members(IEnumerable<string> members, string stamp)
        => members.Distinct(StringComparer.Ordinal).Select(m => new KeyValuePair<string, string>(MemberPrefix + m, stamp));

    private static IEnumerable<KeyValuePair<string, string>> Profile(GroupProfileChangedData data)
        => GroupProfileChangedDeclaration.Fields(data).Where(f => ProfileFields.Contains(f.Field))
            .Select(f => new KeyValuePair<string, string>(ProfilePrefix + f.Field, Fingerprints.Hash(f.Value)));

    private static string Key(string groupId) => RedisKeys.GroupBaseline(new GroupRef(groupId).Key);
}

/// <summary>A group's baseline: its members (account → stamp) and profile fields (field → fingerprint).</summary>
internal sealed record GroupSnapshot(IReadOnlyDictionary<string, string> Members, IReadOnlyDictionary<string, string> Profile);
