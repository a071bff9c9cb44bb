using System.Text.Json;
using System.Text.Json.Serialization;

namespace SyncGateway.Im;

// Answers of IM's history and state reads the gap repair makes, with IM's field names. Every field is optional on the
// wire, as in the callback bodies: the repair decides what it needs.

/// <summary>The answer of <c>group_msg_get_simple</c>.</summary>
internal sealed record GroupHistoryAnswer(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("IsFinished")] int? IsFinished,
    [property: JsonPropertyName("RspMsgList")] IReadOnlyList<GroupHistoryItem>? RspMsgList)
{
    /// <summary><c>IsFinished</c> 2: the list was cut short and the rest has expired from roaming.</summary>
    public const int CutShortExpired = 2;

    public static GroupHistoryAnswer Read(JsonElement answer) => ImHistory.Read<GroupHistoryAnswer>(answer);
}

/// <summary>
/// One seq of a group's history. <c>IsPlaceMsg</c> 1 = a hole (deleted, expired, not stored), 2 = recalled;
/// <c>IsSystemMsg</c> 1 = a group tip (join, quit, profile notices). <c>MsgKey</c> and <c>CloudCustomData</c> appear
/// only in IM's SDK model, so either may be absent.
/// </summary>
internal sealed record GroupHistoryItem(
    [property: JsonPropertyName("MsgSeq")] long? MsgSeq,
    [property: JsonPropertyName("From_Account")] string? FromAccount,
    [property: JsonPropertyName("MsgTimeStamp")] long? MsgTimeStamp,
    [property: JsonPropertyName("MsgRandom")] long? MsgRandom,
    [property: JsonPropertyName("IsPlaceMsg")] int? IsPlaceMsg,
    [property: JsonPropertyName("IsSystemMsg")] int? IsSystemMsg,
    [property: JsonPropertyName("MsgBody")] JsonElement MsgBody,
    [property: JsonPropertyName("CloudCustomData")] string? CloudCustomData)
{
    public const int PlaceHole = 1;
    public const int PlaceRecalled = 2;
}

/// <summary>The answer of <c>admin_getroammsg</c>; <c>Complete</c> 1 = nothing older is left in the range.</summary>
internal sealed record RoamMsgAnswer(
    [property: JsonPropertyName("Complete")] int? Complete,
    [property: JsonPropertyName("LastMsgTime")] long? LastMsgTime,
    [property: JsonPropertyName("LastMsgKey")] string? LastMsgKey,
    [property: JsonPropertyName("MsgList")] IReadOnlyList<RoamMsgItem>? MsgList)
{
    public static RoamMsgAnswer Read(JsonElement answer) => ImHistory.Read<RoamMsgAnswer>(answer);
}

/// <summary>One 1:1 message of a conversation's history; <c>MsgFlagBits</c> 8 = recalled.</summary>
internal sealed record RoamMsgItem(
    [property: JsonPropertyName("From_Account")] string? FromAccount,
    [property: JsonPropertyName("To_Account")] string? ToAccount,
    [property: JsonPropertyName("MsgSeq")] long? MsgSeq,
    [property: JsonPropertyName("MsgRandom")] long? MsgRandom,
    [property: JsonPropertyName("MsgTimeStamp")] long? MsgTimeStamp,
    [property: JsonPropertyName("MsgKey")] string? MsgKey,
    [property: JsonPropertyName("MsgFlagBits")] int? MsgFlagBits,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgBodyItem>? MsgBody,
    [property: JsonPropertyName("CloudCustomData")] string? CloudCustomData)
{
    public const int FlagRecalled = 8;
}

/// <summary>The answer of <c>get_group_info</c>: one item per group, each with its own error code.</summary>
internal sealed record GroupInfoAnswer([property: JsonPropertyName("GroupInfo")] IReadOnlyList<GroupInfoItem>? GroupInfo)
{
    public static GroupInfoAnswer Read(JsonElement answer) => ImHistory.Read<GroupInfoAnswer>(answer);
}

/// <summary>One group of a <c>get_group_info</c> answer: only the fields its filter asked for are there.</summary>
internal sealed record GroupInfoItem(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("ErrorCode")] int? ErrorCode,
    [property: JsonPropertyName("NextMsgSeq")] long? NextMsgSeq,
    [property: JsonPropertyName("Type")] string? Type = null,
    [property: JsonPropertyName("Name")] string? Name = null,
    [property: JsonPropertyName("Introduction")] string? Introduction = null,
    [property: JsonPropertyName("Notification")] string? Notification = null,
    [property: JsonPropertyName("FaceUrl")] string? FaceUrl = null,
    [property: JsonPropertyName("InfoSeq")] long? InfoSeq = null);

/// <summary>The answer of <c>get_group_member_info</c>: the group's member count and one page of its members.</summary>
internal sealed record GroupMemberInfoAnswer(
    [property: JsonPropertyName("MemberNum")] int? MemberNum,
    [property: JsonPropertyName("MemberList")] IReadOnlyList<GroupMemberItem>? MemberList)
{
    public static GroupMemberInfoAnswer Read(JsonElement answer) => ImHistory.Read<GroupMemberInfoAnswer>(answer);
}

/// <summary>One member of a <c>get_group_member_info</c> page; <c>JoinTime</c> in Unix seconds.</summary>
internal sealed record GroupMemberItem(
    [property: JsonPropertyName("Member_Account")] string? MemberAccount,
    [property: JsonPropertyName("JoinTime")] long? JoinTime);

internal static class ImHistory
{
    /// <summary>The group is gone (10010 dismissed, 10015 invalid id) or keeps no history readable by the admin (10007).</summary>
    public static bool IsGroupGone(int errorCode) => errorCode is 10010 or 10015 or 10007;

    /// <summary>The 1:1 history of a pair cannot be read: one of its accounts does not exist (90003, 90008).</summary>
    public static bool IsAccountMissing(int errorCode) => errorCode is 90003 or 90008;

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    public static T Read<T>(JsonElement answer)
        => answer.Deserialize<T>(Json) ?? throw new JsonException($"IM answered null where {typeof(T).Name} was expected");
}
