using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Im;
using SyncGateway.Messaging;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A 1:1 message recalled: <c>C2C.CallbackAfterMsgWithDraw</c> ↔ <c>openim/admin_msgwithdraw</c>. IM names the message
/// by <c>MsgKey</c> only; the ledger adds the legacy id (and finds <c>MsgKey</c> for a legacy recall).
/// </summary>
internal sealed class C2CMessageRecalledDeclaration()
    : EventDeclaration<C2CMessageRecalledData, ImC2CMessageRecalled, LegacyC2CMessageRecalled>(EventTypes.ImC2CMessageRecalled, EventTypes.LegacyC2CMessageRecalled, C2CMessageRecalledDeclaration.Command),
      IMessageReferenceDeclaration<C2CMessageRecalledData>
{
    // Capital D in "WithDraw", as IM spells it.
    public const string Command = "C2C.CallbackAfterMsgWithDraw";

    public override string Conversation(C2CMessageRecalledData data) => Conversations.C2C(data.From, data.To);

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<C2CMsgWithDrawBody>(body);
        var from = CallbackContext.Required(b.FromAccount, "From_Account");
        var to = CallbackContext.Required(b.ToAccount, "To_Account");
        var msgKey = CallbackContext.Required(b.MsgKey, "MsgKey");
        var data = new C2CMessageRecalledData(from, to, new MessageTarget(MsgKey: msgKey), b.UnreadMsgNum);
        // A message is recalled once: its key names the recall.
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime), command, msgKey);
        return new CallbackParseResult.Accepted(new ImC2CMessageRecalled(meta, data));
    }

    public override IReadOnlyList<string> ImEchoParts(C2CMessageRecalledData data) => [$"c2c:recall:{data.Target.MsgKey}"];

    public override IReadOnlyList<string> LegacyEchoParts(C2CMessageRecalledData data) => [$"c2c:recall:{MessageReferences.LegacyKey(data.Target)}"];

    // No account import on "account missing": a message cannot exist between accounts IM does not have.
    public override ImWritePlan ToIm(EventMeta meta, C2CMessageRecalledData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.AdminMsgWithdraw, new AdminMsgWithdrawRequest(data.From, data.To, data.Target.MsgKey!))]);

    public MessageTarget Target(C2CMessageRecalledData data) => data.Target;

    public C2CMessageRecalledData WithTarget(C2CMessageRecalledData data, MessageTarget target) => data with { Target = target };

    public bool NamesImMessage(MessageTarget target) => !string.IsNullOrEmpty(target.MsgKey);

    protected override void Validate(C2CMessageRecalledData data, DeltaProblems problems)
    {
        problems.Require(data.From, "data.from");
        problems.Require(data.To, "data.to");
        problems.Target(data.Target, groupMessage: false);
    }

    protected override LegacyC2CMessageRecalled NewLegacyEvent(EventMeta meta, C2CMessageRecalledData data) => new(meta, data);
}
