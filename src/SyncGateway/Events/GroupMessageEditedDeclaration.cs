using System.Globalization;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Im;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A group message edited: <c>Group.CallbackAfterModifyMsg</c> ↔ <c>openim/modify_group_msg</c> (service <c>openim</c>,
/// not the group service). IM documents the callback on its Chinese pages only (2026): it is taken when it comes. Its
/// <c>MsgSeq</c> stays the message's own.
/// </summary>
internal sealed class GroupMessageEditedDeclaration()
    : GroupEventDeclaration<GroupMessageEditedData, ImGroupMessageEdited, LegacyGroupMessageEdited>(EventTypes.ImGroupMessageEdited, EventTypes.LegacyGroupMessageEdited, GroupMessageEditedDeclaration.Command),
      IMessageReferenceDeclaration<GroupMessageEditedData>
{
    public const string Command = "Group.CallbackAfterModifyMsg";

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<GroupModifyMsgBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        var seq = b.MsgSeq ?? throw new InvalidCallbackException("has no MsgSeq");
        if (b.MsgBody is null && b.CloudCustomData is null)
        {
            return new CallbackParseResult.Ignored(ImType, "no-change");
        }
        var topicId = string.IsNullOrEmpty(b.TopicId) ? null : b.TopicId;
        var data = new GroupMessageEditedData(groupId, new MessageTarget(GroupId: groupId, MsgSeq: seq, TopicId: topicId),
            b.MsgBody is null ? null : CallbackContext.Elements(b.MsgBody), b.CloudCustomData, b.OperatorAccount);
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime), command, groupId, topicId,
            seq.ToString(CultureInfo.InvariantCulture), CallbackContext.Stamp(b.EventTime), MessageReferences.EditContent(data.Body, data.CloudCustomData));
        return new CallbackParseResult.Accepted(new ImGroupMessageEdited(meta, data));
    }

    public override IReadOnlyList<string> ImEchoParts(GroupMessageEditedData data)
        => [$"grp:edit:{MessageReferences.GroupKey(data.GroupId, data.Target)}:{MessageReferences.EditContent(data.Body, data.CloudCustomData)}"];

    public override IReadOnlyList<string> LegacyEchoParts(GroupMessageEditedData data)
        => [$"grp:edit:{data.GroupId}:{MessageReferences.LegacyKey(data.Target)}:{MessageReferences.EditContent(data.Body, data.CloudCustomData)}"];

    public override ImWritePlan ToIm(EventMeta meta, GroupMessageEditedData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.ModifyGroupMsg, new ModifyGroupMsgRequest(data.GroupId, data.Target.MsgSeq!.Value,
            data.Body is null ? null : ImRequests.Body(data.Body), data.CloudCustomData, data.Target.TopicId), data.GroupId)]);

    public MessageTarget Target(GroupMessageEditedData data) => data.Target with { GroupId = data.GroupId };

    public GroupMessageEditedData WithTarget(GroupMessageEditedData data, MessageTarget target) => data with { Target = target };

    public bool NamesImMessage(MessageTarget target) => target.MsgSeq is not null;

    protected override void Validate(GroupMessageEditedData data, DeltaProblems problems)
    {
        problems.Require(data.GroupId, "data.groupId");
        problems.Target(data.Target, groupMessage: true);
        MessageEdits.Validate(data.Body, data.CloudCustomData, problems);
    }

    protected override LegacyGroupMessageEdited NewLegacyEvent(EventMeta meta, GroupMessageEditedData data) => new(meta, data);
}
