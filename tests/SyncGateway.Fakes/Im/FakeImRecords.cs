using System.Text.Json.Nodes;

namespace SyncGateway.Fakes.Im;

/// <summary>One REST call as the fake server saw it.</summary>
/// <param name="Api"><c>service/command</c>, e.g. <c>openim/sendmsg</c>.</param>
/// <param name="Body">The parsed request body; null when it was not JSON.</param>
/// <param name="ArrivedAt">Arrival time on the server's clock.</param>
/// <param name="ArrivalTimestamp">High-resolution arrival timestamp (<see cref="TimeProvider.GetTimestamp"/>) for rate measurements.</param>
/// <param name="ErrorCode">The <c>ErrorCode</c> answered (0 = OK); negative = the HTTP status of a scripted HTTP failure.</param>
/// <param name="Random">The <c>random</c> query parameter.</param>
public sealed record RecordedImCall(string Api, JsonNode? Body, DateTimeOffset ArrivedAt, long ArrivalTimestamp, int ErrorCode, string? Random);

/// <summary>One callback the fake raised, and how its delivery went.</summary>
/// <param name="Command">The <c>CallbackCommand</c>.</param>
/// <param name="OptPlatform"><c>RESTAPI</c> for REST writes, the simulated client platform otherwise.</param>
/// <param name="Body">The JSON body posted.</param>
/// <param name="Uri">The full URL posted to (with IM's query string); null when no callback URL was set.</param>
/// <param name="StatusCode">The HTTP status the receiver answered; null when not posted or no answer came.</param>
/// <param name="Error">Why delivery failed (timeout, connection refused, …); null when answered.</param>
/// <param name="Lost">Lost on purpose (<see cref="FakeImOptions.CallbackLossRate"/>, <see cref="FakeImOptions.LoseCallback"/>): never posted.</param>
public sealed record RecordedCallback(string Command, string OptPlatform, JsonObject Body, Uri? Uri, int? StatusCode, string? Error, bool Lost = false)
{
    /// <summary>The receiver answered HTTP 200, which is all IM counts as success.</summary>
    public bool Delivered => StatusCode == 200;
}

/// <summary>
/// A stored 1:1 message. <c>MsgBody</c> and <c>CloudCustomData</c> are the current ones, after any edit. <c>Recalled</c>: recalled by
/// <c>admin_msgwithdraw</c> or its sender; it stays in roaming, where <c>admin_getroammsg</c> flags it (<c>MsgFlagBits</c> 8).
/// </summary>
public sealed record FakeC2CMessage(string From, string To, long MsgSeq, long MsgRandom, long MsgTime, string MsgKey, JsonArray MsgBody, string? CloudCustomData, bool Imported, bool Recalled = false);

/// <summary>
/// A stored group message. <c>MsgBody</c> and <c>CloudCustomData</c> are the current ones, after any edit. <c>Recalled</c>: recalled
/// by <c>group_msg_recall</c> or a member; it keeps its seq, as in IM's history.
/// </summary>
public sealed record FakeGroupMessage(string GroupId, long MsgSeq, long Random, string From, long MsgTime, JsonArray MsgBody, string? CloudCustomData, bool Imported, bool Recalled = false);

/// <summary>A group member; <c>NameCard</c> as last set by <c>modify_group_member_info</c>.</summary>
public sealed record FakeGroupMember(string Account, string Role, long JoinTime, int UnreadMsgNum, string? NameCard = null);

/// <summary>
/// A group tip IM stores as a system message (a member joined or left, the profile, owner or an admin changed, or one simulated by
/// <see cref="FakeImServer.SimulateGroupTip"/>): it takes a <c>MsgSeq</c> like a message but raises no <c>Group.CallbackAfterSendMsg</c>,
/// so it is a hole in the seqs the gateway sees.
/// </summary>
/// <param name="GroupId">The group.</param>
/// <param name="MsgSeq">The seq it took.</param>
/// <param name="MsgTime">When it was stored, Unix seconds.</param>
/// <param name="Kind"><c>MemberJoin</c>, <c>MemberExit</c>, <c>GroupInfoChanged</c>, <c>OwnerChanged</c>, <c>MemberRoleChanged</c>, or the simulated kind.</param>
/// <param name="Operator">Who caused it.</param>
public sealed record FakeGroupTip(string GroupId, long MsgSeq, long MsgTime, string Kind, string Operator);

/// <summary>A snapshot of one group; <c>Tips</c> hold the seqs that are not messages.</summary>
public sealed record FakeGroup(
    string GroupId,
    string Type,
    string Name,
    string? Owner,
    string? Introduction,
    string? Notification,
    string? FaceUrl,
    long CreateTime,
    IReadOnlyList<FakeGroupMember> Members,
    IReadOnlyList<FakeGroupMessage> Messages,
    IReadOnlyList<FakeGroupTip> Tips);
