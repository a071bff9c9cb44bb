using System.Globalization;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Im;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A group message recalled: <c>Group.CallbackAfterRecallMsg</c> ↔ <c>group_open_http_svc/group_msg_recall</c>. One
/// callback may report several messages; each becomes an event of its own, named by group and <c>MsgSeq</c>.
/// </summary>
internal sealed class GroupMessageRecalledDeclaration()
    : GroupEventDeclaration<GroupMessageRecalledData, ImGroupMessageRecalled, LegacyGroupMessageRecalled>(EventTypes.ImGroupMessageRecalled, EventTypes.LegacyGroupMessageRecalled, GroupMessageRecalledDeclaration.Command),
      IMessageReferenceDeclaration<GroupMessageRecalledData>
{
    public const string Command = "Group.CallbackAfterRecallMsg";

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<GroupRecallMsgBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        if (b.MsgSeqList is not { Count: > 0 } recalled)
        {
            throw new InvalidCallbackException("has no MsgSeqList entries");
        }
        var topicId = string.IsNullOrEmpty(b.TopicId) ? null : b.TopicId;
        var time = context.Time(b.EventTime);
        var events = new List<ISyncEvent>(recalled.Count);
        for (var i = 0; i < recalled.Count; i++)
        {
            var seq = recalled[i]?.MsgSeq ?? throw new InvalidCallbackException($"has a MsgSeqList entry without MsgSeq at index {i}");
            var data = new GroupMessageRecalledData(groupId, new MessageTarget(GroupId: groupId, MsgSeq: seq, TopicId: topicId),
                b.OperatorAccount, b.Type, recalled[i]!.MsgId);
            var meta = context.Meta(ImType, Conversation(data), time, command, groupId, topicId, seq.ToString(CultureInfo.InvariantCulture));
            events.Add(new ImGroupMessageRecalled(meta, data));
        }
        return new CallbackParseResult.Accepted(events);
    }

    public override IReadOnlyList<string> ImEchoParts(GroupMessageRecalledData data)
        => [$"grp:recall:{MessageReferences.GroupKey(data.GroupId, data.Target)}"];

    public override IReadOnlyList<string> LegacyEchoParts(GroupMessageRecalledData data)
        => [$"grp:recall:{data.GroupId}:{MessageReferences.LegacyKey(data.Target)}"];

    public override ImWritePlan ToIm(EventMeta meta, GroupMessageRecalledData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.GroupMsgRecall,
            new GroupMsgRecallRequest(data.GroupId, [new MsgSeqRequest(data.Target.MsgSeq!.Value)], data.Target.TopicId), data.GroupId)]);

    public MessageTarget Target(GroupMessageRecalledData data) => data.Target with { GroupId = data.GroupId };

    public GroupMessageRecalledData WithTarget(GroupMessageRecalledData data, MessageTarget target) => data with { Target = target };

    public bool NamesImMessage(MessageTarget target) => target.MsgSeq is not null;

    protected override void Validate(GroupMessageRecalledData data, DeltaProblems problems)
    {
        problems.Require(data.GroupId, "data.groupId");
        problems.Target(data.Target, groupMessage: true);
    }

    protected override LegacyGroupMessageRecalled NewLegacyEvent(EventMeta meta, GroupMessageRecalledData data) => new(meta, data);
}
