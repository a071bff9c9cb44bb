using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>A group was dismissed: <c>Group.CallbackAfterGroupDestroyed</c> ↔ <c>group_open_http_svc/destroy_group</c>.</summary>
internal sealed class GroupDismissedDeclaration()
    : GroupEventDeclaration<GroupDismissedData, ImGroupDismissed, LegacyGroupDismissed>(EventTypes.ImGroupDismissed, EventTypes.LegacyGroupDismissed, GroupDismissedDeclaration.Command)
{
    public const string Command = "Group.CallbackAfterGroupDestroyed";

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<GroupDestroyedBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        var data = new GroupDismissedData(groupId, b.Type, b.Name, b.OwnerAccount, CallbackContext.Members(b.MemberList));
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime), command, groupId, CallbackContext.Stamp(b.EventTime));
        return new CallbackParseResult.Accepted(new ImGroupDismissed(meta, data));
    }

    public override IReadOnlyList<string> ImEchoParts(GroupDismissedData data) => [$"grp:destroy:{data.GroupId}"];

    public override IReadOnlyList<string> LegacyEchoParts(GroupDismissedData data) => [$"grp:destroy:{data.GroupId}"];

    public override ImWritePlan ToIm(EventMeta meta, GroupDismissedData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.DestroyGroup, new DestroyGroupRequest(data.GroupId), data.GroupId)]);

    protected override void Validate(GroupDismissedData data, DeltaProblems problems) => problems.Require(data.GroupId, "data.groupId");

    protected override LegacyGroupDismissed NewLegacyEvent(EventMeta meta, GroupDismissedData data) => new(meta, data);
}
