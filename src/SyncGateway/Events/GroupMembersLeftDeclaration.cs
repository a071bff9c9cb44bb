using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// Members left a group: <c>Group.CallbackAfterMemberExit</c> ↔ <c>group_open_http_svc/delete_group_member</c>.
/// Each member is an echo part of its own.
/// </summary>
internal sealed class GroupMembersLeftDeclaration()
    : GroupEventDeclaration<GroupMembersLeftData, ImGroupMembersLeft, LegacyGroupMembersLeft>(EventTypes.ImGroupMembersLeft, EventTypes.LegacyGroupMembersLeft, GroupMembersLeftDeclaration.Command)
{
    public const string Command = "Group.CallbackAfterMemberExit";

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<MemberExitBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        var members = CallbackContext.RequiredMembers(b.ExitMemberList, "ExitMemberList");
        var data = new GroupMembersLeftData(groupId, members, b.Type, b.ExitType, b.OperatorAccount);
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime),
            command, groupId, CallbackContext.Stamp(b.EventTime), string.Join(',', members));
        return new CallbackParseResult.Accepted(new ImGroupMembersLeft(meta, data));
    }

    /// <summary>
    /// The exit the group state repair found (members last relayed as in the group, no longer in IM's member list),
    /// marked repaired. IM keeps no trace of an exit, so its id comes from the group and the members with the stamps
    /// the baseline holds for them (the event each was last added by): every replica and round builds the same one,
    /// and a later exit after a rejoin another. What only the callback carries (exit type, operator) stays empty.
    /// </summary>
    public ImGroupMembersLeft FromRepair(string groupId, string? groupType, IReadOnlyList<(string Account, string Stamp)> members, CallbackContext context)
    {
        var data = new GroupMembersLeftData(groupId, [.. members.Select(m => m.Account)], groupType);
        var meta = context.Meta(ImType, Conversation(data), context.Time(null),
            "repair:left", groupId, string.Join(',', members.Select(m => $"{m.Account}@{m.Stamp}")));
        return new ImGroupMembersLeft(meta with { Repaired = true }, data);
    }

    public override IReadOnlyList<string> ImEchoParts(GroupMembersLeftData data) => [.. data.Members.Select(m => $"grp:exit:{data.GroupId}:{m}")];

    public override IReadOnlyList<string> LegacyEchoParts(GroupMembersLeftData data) => ImEchoParts(data);

    public override ImWritePlan ToIm(EventMeta meta, GroupMembersLeftData data, ImWriteSettings settings)
    {
        var d = data with { Members = ImRequests.Distinct(data.Members) };
        return new(ImEchoParts(d), [.. d.Members.Chunk(settings.Options.DeleteMembersBatchSize).Select(batch => new ImCall(
            ImApi.DeleteGroupMember, new DeleteGroupMemberRequest(d.GroupId, ImRequests.Silence(settings.Options), batch), d.GroupId))]);
    }

    protected override GroupMembersLeftData Keep(GroupMembersLeftData data, IReadOnlyList<bool> suppressed)
        => data with { Members = [.. data.Members.Where((_, i) => !suppressed[i])] };

    protected override void Validate(GroupMembersLeftData data, DeltaProblems problems)
    {
        problems.Require(data.GroupId, "data.groupId");
        problems.Members(data.Members, "data.members", allowEmpty: false);
    }

    protected override LegacyGroupMembersLeft NewLegacyEvent(EventMeta meta, GroupMembersLeftData data) => new(meta, data);
}
