using System.Globalization;
using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>A group message: <c>Group.CallbackAfterSendMsg</c> ↔ <c>group_open_http_svc/send_group_msg</c>.</summary>
internal sealed class GroupMessageDeclaration()
    : GroupEventDeclaration<GroupMessageData, ImGroupMessageSent, LegacyGroupMessageSent>(EventTypes.ImGroupMessageSent, EventTypes.LegacyGroupMessageSent, GroupMessageDeclaration.Command),
      IMessageDeclaration<GroupMessageData>
{
    public const string Command = "Group.CallbackAfterSendMsg";

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<GroupAfterSendMsgBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        var from = CallbackContext.Required(b.FromAccount, "From_Account");
        var seq = b.MsgSeq ?? throw new InvalidCallbackException("has no MsgSeq");
        var mentions = b.GroupAtInfo?.Select((a, i) => a is null
            ? throw new InvalidCallbackException($"has an empty GroupAtInfo entry at index {i}")
            : new GroupMention(a.GroupAtAllFlag == 1, a.GroupAtAccount)).ToList();
        var data = new GroupMessageData(groupId, from, CallbackContext.Elements(b.MsgBody), seq, b.Random, b.MsgTime, b.MsgId,
            b.CloudCustomData, CallbackContext.Flag(b.OnlineOnlyFlag), b.TopicId, mentions, b.OperatorAccount);
        return new CallbackParseResult.Accepted(new ImGroupMessageSent(Meta(data, context, context.Time(b.EventTime, b.MsgTime)), data));
    }

    /// <summary>
    /// The event this message's callback would have produced, built from its <c>group_msg_get_simple</c> item: the
    /// same id, marked repaired. What only the callback carries (<c>MsgId</c>, mentions, operator, online-only flag,
    /// <c>EventTime</c>) stays empty; <c>CloudCustomData</c> is there when IM lists it.
    /// </summary>
    public ImGroupMessageSent FromHistory(string groupId, string? topicId, GroupHistoryItem item, CallbackContext context)
    {
        var seq = item.MsgSeq ?? throw new InvalidCallbackException("history item has no MsgSeq");
        var body = item.MsgBody.ValueKind == JsonValueKind.Array ? item.MsgBody.Deserialize<List<ImMsgBodyItem>>() : null;
        var data = new GroupMessageData(groupId, CallbackContext.Required(item.FromAccount, "From_Account"), CallbackContext.Elements(body), seq,
            item.MsgRandom, item.MsgTimeStamp, CloudCustomData: string.IsNullOrEmpty(item.CloudCustomData) ? null : item.CloudCustomData, TopicId: topicId);
        return new ImGroupMessageSent(Meta(data, context, context.Time(null, item.MsgTimeStamp)) with { Repaired = true }, data);
    }

    // MsgSeq is unique per group (per topic in topic-enabled communities).
    private EventMeta Meta(GroupMessageData data, CallbackContext context, DateTimeOffset time)
        => context.Meta(ImType, Conversation(data), time, Command, data.GroupId, data.TopicId, data.MsgSeq!.Value.ToString(CultureInfo.InvariantCulture));

    public override IReadOnlyList<string> ImEchoParts(GroupMessageData data) => [$"grpmsg:{data.GroupId}:{data.Random}"];

    public override IReadOnlyList<string> LegacyEchoParts(GroupMessageData data)
        => [$"grpmsg:{Fingerprints.Hash(data.GroupId, data.From, Fingerprints.Normalise(data.Body))}"];

    public override DateTimeOffset? SentAt(EventMeta meta, GroupMessageData data)
        => data.MsgTime is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : meta.Time;

    public override ImWritePlan ToIm(EventMeta meta, GroupMessageData data, ImWriteSettings settings)
    {
        var d = WithImIds(meta, data);
        return new(ImEchoParts(d), [new(ImApi.SendGroupMsg, new SendGroupMsgRequest(
            GroupId: d.GroupId,
            FromAccount: d.From,
            Random: (uint)d.Random!.Value,
            MsgBody: ImRequests.Body(d.Body),
            CloudCustomData: d.CloudCustomData,
            OnlineOnlyFlag: d.OnlineOnly == true ? 1 : null,
            TopicId: d.TopicId,
            GroupAtInfo: d.Mentions is { Count: > 0 } mentions
                ? [.. mentions.Select(m => new GroupAtRequest(m.AtAll ? 1 : 0, m.AtAll ? null : m.Account))]
                : null,
            ForbidCallbackControl: settings.SendCallbackControl), d.GroupId, [d.From])]);
    }

    /// <summary>The data with the IM <c>Random</c> this legacy event gets, from the legacy message id as the history import derives it.</summary>
    public static GroupMessageData WithImIds(EventMeta meta, GroupMessageData data)
        => data with { Random = ImIds.RandomFor(ImRequests.LegacyMessageId(meta, data.LegacyMessageId)) };

    public LedgerEntry? FromIm(EventMeta meta, GroupMessageData data)
        => data.MsgSeq is { } seq
            ? new(meta.Id, MessageOrigin.Im, data.From, GroupId: data.GroupId, MsgSeq: seq, TopicId: data.TopicId, MsgTime: data.MsgTime)
            : null;

    public LedgerEntry? FromImAnswer(EventMeta meta, GroupMessageData data, JsonElement answer)
        => ImRequests.Integer(answer, "MsgSeq") is { } seq
            ? new(LegacyId(meta, data), MessageOrigin.Legacy, data.From, GroupId: data.GroupId, MsgSeq: seq,
                TopicId: data.TopicId, MsgTime: ImRequests.Integer(answer, "MsgTime"))
            : null;

    public string LegacyId(EventMeta meta, GroupMessageData data) => ImRequests.LegacyMessageId(meta, data.LegacyMessageId);

    public GroupMessageData WithLegacyMessageId(GroupMessageData data, string legacyMessageId) => data with { LegacyMessageId = legacyMessageId };

    protected override void Validate(GroupMessageData data, DeltaProblems problems)
    {
        problems.Require(data.GroupId, "data.groupId");
        problems.Require(data.From, "data.from");
        problems.Body(data.Body);
        problems.UnixSeconds(data.MsgTime, "data.msgTime");
        for (var i = 0; i < (data.Mentions?.Count ?? 0); i++)
        {
            if (data.Mentions![i] is not { } mention || (!mention.AtAll && string.IsNullOrEmpty(mention.Account)))
            {
                problems.Add($"data.mentions[{i}]", "needs atAll true or an account");
            }
        }
    }

    protected override LegacyGroupMessageSent NewLegacyEvent(EventMeta meta, GroupMessageData data) => new(meta, data);
}
