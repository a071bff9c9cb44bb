using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.Messaging;

namespace SyncGateway.Import.Phases;

internal sealed record C2CMessageLine(
    string Id,
    string From,
    string To,
    long Time,
    uint MsgSeq,
    IReadOnlyList<MessageElement> Body,
    string? CloudCustomData)
{
    /// <summary>Both directions of a conversation share one key: the <c>c2c:</c> subject live sync uses.</summary>
    public string Conversation => Conversations.C2C(From, To);
}

/// <summary>
/// <c>c2c-messages.jsonl</c>: one <c>importmsg</c> per message (<c>SyncFromOldSystem</c> 2: history, no unread, no
/// push), in file order per conversation. <c>MsgRandom</c> comes from the legacy id and
/// <c>MsgSeq</c> from the line or its place within the conversation's second, so a re-run hits IM's dedup
/// (same <c>MsgSeq</c>, <c>MsgRandom</c>, <c>MsgTimeStamp</c>). The message id ledger records each under its legacy id
/// only, so live sync knows it is in IM: <c>importmsg</c> answers no <c>MsgKey</c>, and IM documents no rule to compute
/// one.
/// </summary>
internal sealed class C2CMessagesPhase : ImportPhase<C2CMessageLine>
{
    private readonly SecondOrdinals _ordinals = new();
    private (string Conversation, long Time)? _previous;

    public C2CMessagesPhase(ImportContext context)
        : base(context)
        => Routes =
        [
            new BatchRoute<C2CMessageLine>
            {
                Api = ImApi.ImportMsg,
                MaxItems = 1,
                Key = item => item.Conversation,
                Body = items => new ImportMsgRequest(ImportMsgRequest.History, items[0].From, items[0].To, items[0].MsgSeq,
                    ImIds.RandomFor(items[0].Id), items[0].Time, MessageBodies.ToIm(items[0].Body), items[0].CloudCustomData),
                LedgerEntries = (_, items) => [.. items.Select(m => new LedgerEntry(m.Id, MessageOrigin.Legacy, m.From, m.To, MsgTime: m.Time, MsgRandom: ImIds.RandomFor(m.Id)))],
            },
        ];

    protected override bool UsesCutoff => true;

    public override string Name => ImportPhases.C2CMessages;

    public override IReadOnlyList<BatchRoute<C2CMessageLine>> Routes { get; }

    public override C2CMessageLine? Parse(JsonElement line)
    {
        var id = LineFields.RequiredString(line, "id");
        var from = RequiredAccount(line, "from");
        var to = RequiredAccount(line, "to");
        var time = RequirePast(line, "time");
        var body = MessageBodies.Parse(line);
        var seq = LineFields.OptionalInteger(line, "msgSeq", 0, uint.MaxValue);
        var message = new C2CMessageLine(id, from, to, time, 0, body, LineFields.OptionalString(line, "cloudCustomData"));

        if (_previous is { } previous && previous.Conversation == message.Conversation && time < previous.Time)
        {
            throw new ImportInputException($"time {time} is before the previous line of this conversation ({previous.Time}); sort the file by conversation, then time");
        }
        _previous = (message.Conversation, time);
        var ordinal = _ordinals.Next(message.Conversation, time);
        return IsAfterCutoff(time) ? null : message with { MsgSeq = seq is { } given ? (uint)given : ordinal };
    }

    /// <summary>
    /// 1, 2, 3… for the lines of one conversation within one second, in file order; IM orders a second's messages by
    /// <c>MsgSeq</c>. Only the current second is remembered, so memory stays flat for files sorted by time or by
    /// conversation then time.
    /// </summary>
    private sealed class SecondOrdinals
    {
        private readonly Dictionary<string, uint> _counts = new(StringComparer.Ordinal);
        private long _second = -1;

        public uint Next(string conversation, long second)
        {
            if (second != _second)
            {
                _counts.Clear();
                _second = second;
            }
            var next = _counts.GetValueOrDefault(conversation) + 1;
            _counts[conversation] = next;
            return next;
        }
    }
}
