using System.Globalization;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Im;
using SyncGateway.Messaging;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A 1:1 conversation read up to a time: <c>C2C.CallbackAfterMsgReport</c> ↔ <c>openim/admin_set_msg_read</c>. It is
/// a read-up-to mark for the conversation, not a receipt for one message.
/// </summary>
internal sealed class C2CMessageReadDeclaration()
    : EventDeclaration<C2CMessageReadData, ImC2CMessageRead, LegacyC2CMessageRead>(EventTypes.ImC2CMessageRead, EventTypes.LegacyC2CMessageRead, C2CMessageReadDeclaration.Command)
{
    public const string Command = "C2C.CallbackAfterMsgReport";

    public override string Conversation(C2CMessageReadData data) => Conversations.C2C(data.Reader, data.Peer);

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<C2CMsgReportBody>(body);
        var reader = CallbackContext.Required(b.ReportAccount, "Report_Account");
        var peer = CallbackContext.Required(b.PeerAccount, "Peer_Account");
        var readUpTo = b.LastReadTime is > 0 ? b.LastReadTime.Value : throw new InvalidCallbackException("has no LastReadTime (Unix seconds)");
        var data = new C2CMessageReadData(reader, peer, readUpTo, b.UnreadMsgNum);
        // Time also checks that LastReadTime is a real time.
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime, readUpTo), command, reader, peer,
            readUpTo.ToString(CultureInfo.InvariantCulture));
        return new CallbackParseResult.Accepted(new ImC2CMessageRead(meta, data));
    }

    public override IReadOnlyList<string> ImEchoParts(C2CMessageReadData data) => [EchoPart(data.Reader, data.Peer, data.ReadUpTo)];

    /// <summary>The echo part of a read mark; the history import tags its read marks with it too.</summary>
    public static string EchoPart(string reader, string peer, long readUpTo) => $"c2c:read:{reader}:{peer}:{readUpTo}";

    public override IReadOnlyList<string> LegacyEchoParts(C2CMessageReadData data) => ImEchoParts(data);

    public override ImWritePlan ToIm(EventMeta meta, C2CMessageReadData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.AdminSetMsgRead, new AdminSetMsgReadRequest(data.Reader, data.Peer,
            settings.Options.ReadTimeAsString ? data.ReadUpTo.ToString(CultureInfo.InvariantCulture) : data.ReadUpTo),
            Accounts: [data.Reader, data.Peer])]);

    protected override void Validate(C2CMessageReadData data, DeltaProblems problems)
    {
        problems.Require(data.Reader, "data.reader");
        problems.Require(data.Peer, "data.peer");
        if (data.ReadUpTo <= 0)
        {
            problems.Add("data.readUpTo", "is required: Unix seconds up to which the conversation is read");
        }
        else
        {
            problems.UnixSeconds(data.ReadUpTo, "data.readUpTo");
        }
    }

    protected override LegacyC2CMessageRead NewLegacyEvent(EventMeta meta, C2CMessageReadData data) => new(meta, data);
}
