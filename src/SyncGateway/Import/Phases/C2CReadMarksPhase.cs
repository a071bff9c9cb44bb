using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Events;
using SyncGateway.Im;
using SyncGateway.Messaging;

namespace SyncGateway.Import.Phases;

internal sealed record ReadMarkLine(string UserId, string Peer, long ReadTime);

/// <summary>
/// <c>c2c-read-marks.jsonl</c>: one <c>admin_set_msg_read</c> per line, after the messages: everything in the
/// conversation before <c>readTime</c> becomes read for <c>userId</c>.
/// </summary>
internal sealed class C2CReadMarksPhase : ImportPhase<ReadMarkLine>
{
    public C2CReadMarksPhase(ImportContext context)
        : base(context)
        => Routes =
        [
            new BatchRoute<ReadMarkLine>
            {
                Api = ImApi.AdminSetMsgRead,
                MaxItems = 1,
                Body = items => new AdminSetMsgReadRequest(
                    items[0].UserId,
                    items[0].Peer,
                    // The page documents a string, IM's SDK model an integer; which IM takes is not confirmed.
                    Options.ReadTimeAsString ? items[0].ReadTime.ToString(CultureInfo.InvariantCulture) : items[0].ReadTime),
                ImEchoes = items => [.. items.Select(mark => (Conversations.C2C(mark.UserId, mark.Peer), C2CMessageReadDeclaration.EchoPart(mark.UserId, mark.Peer, mark.ReadTime)))],
            },
        ];

    public override string Name => ImportPhases.C2CReadMarks;

    public override IReadOnlyList<BatchRoute<ReadMarkLine>> Routes { get; }

    public override ReadMarkLine Parse(JsonElement line)
        => new(
            RequiredAccount(line, "userId"),
            RequiredAccount(line, "peer"),
            LineFields.RequiredTime(line, "readTime"));
}
