using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// Members joined a group: <c>Group.CallbackAfterNewMemberJoin</c> ↔ <c>group_open_http_svc/add_group_member</c>.
/// Each member is an echo part of its own.
/// </summary>
internal sealed class GroupMembersJoinedDeclaration()
    : GroupEventDeclaration<GroupMembersJoinedData, ImGroupMembersJoined, LegacyGroupMembersJoined>(EventTypes.ImGroupMembersJoined, EventTypes.LegacyGroupMembersJoined, GroupMembersJoinedDeclaration.Command)
{
    public const string Command = "Group.CallbackAfterNewMemberJoin";

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<NewMemberJoinBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        var members = CallbackContext.RequiredMembers(b.NewMemberList, "NewMemberList");
        var data = new GroupMembersJoinedData(groupId, members, b.Type, b.JoinType, b.OperatorAccount);
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime),
            command, groupId, CallbackContext.Stamp(b.EventTime), string.Join(',', members));
        return new CallbackParseResult.Accepted(new ImGroupMembersJoined(meta, data));
    }

    /// <summary>
    /// The join the group state repair found in IM's member list but never relayed, marked repaired. Its id comes from
    /// the group, the members and IM's <c>JoinTime</c>s, so every replica and round builds the same one; what only the
    /// callback carries (join type, operator) stays empty.
    /// </summary>
    public ImGroupMembersJoined FromRepair(string groupId, string? groupType, IReadOnlyList<(string Account, long? JoinTime)> members, CallbackContext context)
    {
        var data = new GroupMembersJoinedData(groupId, [.. members.Select(m => m.Account)], groupType);
        var joinedAt = members.Max(m => m.JoinTime);
        var meta = context.Meta(ImType, Conversation(data), context.Time(null, joinedAt),
            "repair:join", groupId, string.Join(',', members.Select(m => $"{m.Account}@{m.JoinTime}")));
        return new ImGroupMembersJoined(meta with { Repaired = true }, data);
    }

    public override IReadOnlyList<string> ImEchoParts(GroupMembersJoinedData data) => JoinParts(data.GroupId, data.Members);

    public override IReadOnlyList<string> LegacyEchoParts(GroupMembersJoinedData data) => JoinParts(data.GroupId, data.Members);

    /// <summary>One part per member that joins <paramref name="groupId"/> (a group's creation causes them too).</summary>
    public static IReadOnlyList<string> JoinParts(string groupId, IReadOnlyList<string> members)
        => [.. members.Select(m => $"grp:join:{groupId}:{m}")];

    public override ImWritePlan ToIm(EventMeta meta, GroupMembersJoinedData data, ImWriteSettings settings)
    {
        var members = ImRequests.Distinct(data.Members);
        return new(JoinParts(data.GroupId, members), ImRequests.AddMembers(data.GroupId, members, settings.Options));
    }

    protected override GroupMembersJoinedData Keep(GroupMembersJoinedData data, IReadOnlyList<bool> suppressed)
        => data with { Members = [.. data.Members.Where((_, i) => !suppressed[i])] };

    protected override void Validate(GroupMembersJoinedData data, DeltaProblems problems)
    {
        problems.Require(data.GroupId, "data.groupId");
        problems.Members(data.Members, "data.members", allowEmpty: false);
    }

    protected override LegacyGroupMembersJoined NewLegacyEvent(EventMeta meta, GroupMembersJoinedData data) => new(meta, data);
}
