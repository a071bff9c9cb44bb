using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Messaging;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>A one-to-one message: <c>C2C.CallbackAfterSendMsg</c> ↔ <c>openim/sendmsg</c>.</summary>
internal sealed class C2CMessageDeclaration()
    : EventDeclaration<C2CMessageData, ImC2CMessageSent, LegacyC2CMessageSent>(EventTypes.ImC2CMessageSent, EventTypes.LegacyC2CMessageSent, C2CMessageDeclaration.Command),
      IMessageDeclaration<C2CMessageData>
{
    public const string Command = "C2C.CallbackAfterSendMsg";

    public override string Conversation(C2CMessageData data) => Conversations.C2C(data.From, data.To);

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<C2CAfterSendMsgBody>(body);
        var from = CallbackContext.Required(b.FromAccount, "From_Account");
        var to = CallbackContext.Required(b.ToAccount, "To_Account");
        var data = new C2CMessageData(from, to, CallbackContext.Elements(b.MsgBody), b.MsgSeq, b.MsgRandom, b.MsgTime, b.MsgKey,
            b.MsgId, b.CloudCustomData, CallbackContext.Flag(b.OnlineOnlyFlag), b.SendMsgResult);
        if (b.SendMsgResult is not (null or 0) && !context.RelayUndeliveredC2CMessages)
        {
            return new CallbackParseResult.Ignored(ImType, "undelivered");
        }
        return new CallbackParseResult.Accepted(new ImC2CMessageSent(Meta(data, context, context.Time(b.EventTime, b.MsgTime)), data));
    }

    /// <summary>
    /// The event this message's callback would have produced, built from its <c>admin_getroammsg</c> item: the same
    /// id, marked repaired. What only the callback carries (<c>MsgId</c>, <c>SendMsgResult</c>, online-only flag,
    /// <c>EventTime</c>) stays empty.
    /// </summary>
    public ImC2CMessageSent FromHistory(RoamMsgItem item, CallbackContext context)
    {
        var data = new C2CMessageData(CallbackContext.Required(item.FromAccount, "From_Account"), CallbackContext.Required(item.ToAccount, "To_Account"),
            CallbackContext.Elements(item.MsgBody), item.MsgSeq, item.MsgRandom, item.MsgTimeStamp, item.MsgKey,
            CloudCustomData: string.IsNullOrEmpty(item.CloudCustomData) ? null : item.CloudCustomData);
        return new ImC2CMessageSent(Meta(data, context, context.Time(null, item.MsgTimeStamp)) with { Repaired = true }, data);
    }

    // MsgKey names a stored 1:1 message; without it (never seen so far), IM's documented MsgKey parts.
    private EventMeta Meta(C2CMessageData data, CallbackContext context, DateTimeOffset time)
        => context.Meta(ImType, Conversation(data), time, Command, data.From, data.To, data.MsgKey ?? $"{data.MsgSeq}_{data.MsgRandom}_{data.MsgTime}");

    public override IReadOnlyList<string> ImEchoParts(C2CMessageData data) => [$"c2c:{data.From}:{data.To}:{data.MsgRandom}"];

    public override IReadOnlyList<string> LegacyEchoParts(C2CMessageData data)
        => [$"c2c:{Fingerprints.Hash(data.From, data.To, Fingerprints.Normalise(data.Body))}"];

    public override DateTimeOffset? SentAt(EventMeta meta, C2CMessageData data)
        => data.MsgTime is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : meta.Time;

    public override ImWritePlan ToIm(EventMeta meta, C2CMessageData data, ImWriteSettings settings)
    {
        var d = WithImIds(meta, data);
        if (d.OnlineOnly != true && SentAt(meta, d) is { } sentAt && settings.KeepsItsTime(sentAt))
        {
            // importmsg raises no callback: there is no echo to expect.
            return new([], [new(ImApi.ImportMsg, new ImportMsgRequest(ImportMsgRequest.RealTime, d.From, d.To, (uint)d.MsgSeq!.Value,
                (uint)d.MsgRandom!.Value, sentAt.ToUnixTimeSeconds(), ImRequests.Body(d.Body), d.CloudCustomData), Accounts: [d.From, d.To])]);
        }
        return new(ImEchoParts(d), [new(ImApi.SendMsg, new SendMsgRequest(
            SyncOtherMachine: 1,
            FromAccount: d.From,
            ToAccount: d.To,
            MsgSeq: (uint)d.MsgSeq!.Value,
            MsgRandom: (uint)d.MsgRandom!.Value,
            MsgBody: ImRequests.Body(d.Body),
            CloudCustomData: d.CloudCustomData,
            MsgLifeTime: d.OnlineOnly == true ? 0 : null,
            ForbidCallbackControl: settings.SendCallbackControl), Accounts: [d.From, d.To])]);
    }

    /// <summary>
    /// The data with the IM ids this legacy event gets: <c>MsgRandom</c> from the legacy message id, as the history
    /// import derives it, <c>MsgSeq</c> from the event time.
    /// </summary>
    public static C2CMessageData WithImIds(EventMeta meta, C2CMessageData data)
        => data with { MsgSeq = ImRequests.MsgSeqFor(meta.Time), MsgRandom = ImIds.RandomFor(ImRequests.LegacyMessageId(meta, data.LegacyMessageId)) };

    public LedgerEntry? FromIm(EventMeta meta, C2CMessageData data)
        => data.MsgKey is { } msgKey ? new(meta.Id, MessageOrigin.Im, data.From, data.To, MsgKey: msgKey, MsgTime: data.MsgTime) : null;

    // importmsg (a message that keeps its time) answers no MsgKey: the entry then holds the MsgRandom and time the
    // gateway gave the message, which IM's history lists with it.
    public LedgerEntry? FromImAnswer(EventMeta meta, C2CMessageData data, JsonElement answer)
    {
        var written = WithImIds(meta, data);
        return new(LegacyId(meta, data), MessageOrigin.Legacy, data.From, data.To,
            MsgKey: ImRequests.String(answer, "MsgKey"),
            MsgTime: ImRequests.Integer(answer, "MsgTime") ?? SentAt(meta, written)?.ToUnixTimeSeconds(),
            MsgRandom: written.MsgRandom);
    }

    public string LegacyId(EventMeta meta, C2CMessageData data) => ImRequests.LegacyMessageId(meta, data.LegacyMessageId);

    public C2CMessageData WithLegacyMessageId(C2CMessageData data, string legacyMessageId) => data with { LegacyMessageId = legacyMessageId };

    protected override void Validate(C2CMessageData data, DeltaProblems problems)
    {
        problems.Require(data.From, "data.from");
        problems.Require(data.To, "data.to");
        problems.Body(data.Body);
        problems.UnixSeconds(data.MsgTime, "data.msgTime");
    }

    protected override LegacyC2CMessageSent NewLegacyEvent(EventMeta meta, C2CMessageData data) => new(meta, data);
}
