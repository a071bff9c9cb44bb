using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Im;

namespace SyncGateway.Import.Phases;

internal sealed record GroupUnreadLine(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Member_Account")] string UserId,
    [property: JsonPropertyName("UnreadMsgNum")] long UnreadMsgNum);

/// <summary>
/// <c>group-unread.jsonl</c>: one <c>set_unread_msg_num</c> per member, last, because importing group messages
/// resets every member's unread count to 0.
/// </summary>
internal sealed class GroupUnreadPhase : ImportPhase<GroupUnreadLine>
{
    public GroupUnreadPhase(ImportContext context)
        : base(context)
        => Routes =
        [
            new BatchRoute<GroupUnreadLine>
            {
                Api = ImApi.SetUnreadMsgNum,
                MaxItems = 1,
                Body = items => items[0],
            },
        ];

    public override string Name => ImportPhases.GroupUnread;

    public override IReadOnlyList<BatchRoute<GroupUnreadLine>> Routes { get; }

    public override GroupUnreadLine Parse(JsonElement line)
        => new(
            RequiredGroup(line, "groupId"),
            RequiredAccount(line, "userId"),
            LineFields.RequiredInteger(line, "unreadMsgNum"));
}
