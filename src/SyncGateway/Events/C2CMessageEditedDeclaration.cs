using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Im;
using SyncGateway.Messaging;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A 1:1 message edited: <c>C2C.CallbackAfterModifyMsg</c> ↔ <c>openim/modify_c2c_msg</c>. IM documents the callback
/// on its Chinese pages only (2026): it is taken when it comes, and nothing depends on it coming.
/// </summary>
internal sealed class C2CMessageEditedDeclaration()
    : EventDeclaration<C2CMessageEditedData, ImC2CMessageEdited, LegacyC2CMessageEdited>(EventTypes.ImC2CMessageEdited, EventTypes.LegacyC2CMessageEdited, C2CMessageEditedDeclaration.Command),
      IMessageReferenceDeclaration<C2CMessageEditedData>
{
    public const string Command = "C2C.CallbackAfterModifyMsg";

    public override string Conversation(C2CMessageEditedData data) => Conversations.C2C(data.From, data.To);

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<C2CModifyMsgBody>(body);
        var from = CallbackContext.Required(b.FromAccount, "From_Account");
        var to = CallbackContext.Required(b.ToAccount, "To_Account");
        var msgKey = CallbackContext.Required(b.MsgKey, "MsgKey");
        // Whether IM sends MsgBody when only the custom data changed (and the reverse) is not documented: absent is unchanged.
        if (b.MsgBody is null && b.CloudCustomData is null)
        {
            return new CallbackParseResult.Ignored(ImType, "no-change");
        }
        var data = new C2CMessageEditedData(from, to, new MessageTarget(MsgKey: msgKey),
            b.MsgBody is null ? null : CallbackContext.Elements(b.MsgBody), b.CloudCustomData, b.OperatorAccount);
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime), command, msgKey,
            CallbackContext.Stamp(b.EventTime), MessageReferences.EditContent(data.Body, data.CloudCustomData));
        return new CallbackParseResult.Accepted(new ImC2CMessageEdited(meta, data));
    }

    public override IReadOnlyList<string> ImEchoParts(C2CMessageEditedData data)
        => [$"c2c:edit:{data.Target.MsgKey}:{MessageReferences.EditContent(data.Body, data.CloudCustomData)}"];

    public override IReadOnlyList<string> LegacyEchoParts(C2CMessageEditedData data)
        => [$"c2c:edit:{MessageReferences.LegacyKey(data.Target)}:{MessageReferences.EditContent(data.Body, data.CloudCustomData)}"];

    public override ImWritePlan ToIm(EventMeta meta, C2CMessageEditedData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.ModifyC2CMsg, new ModifyC2CMsgRequest(data.From, data.To, data.Target.MsgKey!,
            data.Body is null ? null : ImRequests.Body(data.Body), data.CloudCustomData))]);

    public MessageTarget Target(C2CMessageEditedData data) => data.Target;

    public C2CMessageEditedData WithTarget(C2CMessageEditedData data, MessageTarget target) => data with { Target = target };

    public bool NamesImMessage(MessageTarget target) => !string.IsNullOrEmpty(target.MsgKey);

    protected override void Validate(C2CMessageEditedData data, DeltaProblems problems)
    {
        problems.Require(data.From, "data.from");
        problems.Require(data.To, "data.to");
        problems.Target(data.Target, groupMessage: false);
        MessageEdits.Validate(data.Body, data.CloudCustomData, problems);
    }

    protected override LegacyC2CMessageEdited NewLegacyEvent(EventMeta meta, C2CMessageEditedData data) => new(meta, data);
}

/// <summary>What an edit delta must change, for both edit types.</summary>
internal static class MessageEdits
{
    public static void Validate(IReadOnlyList<MessageElement>? body, string? cloudCustomData, DeltaProblems problems)
    {
        if (body is null && cloudCustomData is null)
        {
            problems.Add("data", "changes nothing: give body, cloudCustomData or both");
        }
        else if (body is not null)
        {
            problems.Body(body);
        }
    }
}
