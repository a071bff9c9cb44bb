using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>A group was created: <c>Group.CallbackAfterCreateGroup</c> ↔ <c>group_open_http_svc/create_group</c>.</summary>
internal sealed class GroupCreatedDeclaration()
    : GroupEventDeclaration<GroupCreatedData, ImGroupCreated, LegacyGroupCreated>(EventTypes.ImGroupCreated, EventTypes.LegacyGroupCreated, GroupCreatedDeclaration.Command)
{
    public const string Command = "Group.CallbackAfterCreateGroup";

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<GroupCreatedBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        var data = new GroupCreatedData(groupId, b.Type ?? "", b.Name ?? "", b.OwnerAccount, b.OperatorAccount,
            CallbackContext.Members(b.MemberList), CallbackContext.Fields(b.UserDefinedDataList));
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime), command, groupId, CallbackContext.Stamp(b.EventTime));
        return new CallbackParseResult.Accepted(new ImGroupCreated(meta, data));
    }

    public override IReadOnlyList<string> ImEchoParts(GroupCreatedData data) => [$"grp:create:{data.GroupId}"];

    public override IReadOnlyList<string> LegacyEchoParts(GroupCreatedData data) => [$"grp:create:{data.GroupId}"];

    /// <summary>
    /// The owner joins by being owner, so it is not repeated in <c>MemberList</c>. Members beyond what
    /// <c>create_group</c> takes are added right after. Whether IM raises join callbacks for initial members is not
    /// documented, so their join echoes are expected too; an unused tag simply expires.
    /// </summary>
    public override ImWritePlan ToIm(EventMeta meta, GroupCreatedData data, ImWriteSettings settings)
    {
        var options = settings.Options;
        var members = ImRequests.Distinct(data.Members ?? []).Where(m => m != data.Owner).ToList();
        var joined = data.Owner is null ? members : [data.Owner, .. members];
        var request = new CreateGroupRequest(
            OwnerAccount: data.Owner,
            Type: ImRequests.GroupType(data.Type),
            GroupId: data.GroupId,
            Name: data.Name,
            MemberList: members.Count > 0 ? [.. members.Take(options.CreateGroupMembersLimit).Select(m => new MemberRequest(m))] : null,
            AppDefinedData: ImRequests.CustomFields(data.CustomFields));
        var later = members.Skip(options.CreateGroupMembersLimit).ToList();
        return new(
            [.. ImEchoParts(data), .. GroupMembersJoinedDeclaration.JoinParts(data.GroupId, joined)],
            [new(ImApi.CreateGroup, request, data.GroupId, [.. joined.Take(options.CreateGroupMembersLimit + (data.Owner is null ? 0 : 1))]), .. ImRequests.AddMembers(data.GroupId, later, options)]);
    }

    protected override void Validate(GroupCreatedData data, DeltaProblems problems)
    {
        problems.Require(data.GroupId, "data.groupId");
        problems.Require(data.Type, "data.type");
        problems.Require(data.Name, "data.name");
        problems.Members(data.Members, "data.members", allowEmpty: true);
        problems.CustomFields(data.CustomFields, "data.customFields");
    }

    protected override LegacyGroupCreated NewLegacyEvent(EventMeta meta, GroupCreatedData data) => new(meta, data);
}
