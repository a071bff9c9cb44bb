using System.Text.Json;
using System.Text.Json.Serialization;

namespace SyncGateway.Im;

// Request bodies of IM's REST APIs, with IM's field names. Import-only bodies are next to their phase.

/// <summary>One element of IM's <c>MsgBody</c> on the wire.</summary>
internal sealed record ImMsgElement(
    [property: JsonPropertyName("MsgType")] string MsgType,
    [property: JsonPropertyName("MsgContent")] JsonElement MsgContent);

internal sealed record MemberRequest([property: JsonPropertyName("Member_Account")] string MemberAccount);

internal sealed record ImKeyValue(
    [property: JsonPropertyName("Key")] string Key,
    [property: JsonPropertyName("Value")] string Value);

internal sealed record GroupAtRequest(
    [property: JsonPropertyName("GroupAtAllFlag")] int GroupAtAllFlag,
    [property: JsonPropertyName("GroupAt_Account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GroupAtAccount);

/// <summary><c>openim/sendmsg</c>.</summary>
internal sealed record SendMsgRequest(
    [property: JsonPropertyName("SyncOtherMachine")] int SyncOtherMachine,
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("To_Account")] string ToAccount,
    [property: JsonPropertyName("MsgSeq")] uint MsgSeq,
    [property: JsonPropertyName("MsgRandom")] uint MsgRandom,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgElement> MsgBody,
    [property: JsonPropertyName("CloudCustomData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CloudCustomData,
    [property: JsonPropertyName("MsgLifeTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MsgLifeTime,
    [property: JsonPropertyName("ForbidCallbackControl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ForbidCallbackControl);

/// <summary><c>group_open_http_svc/send_group_msg</c>.</summary>
internal sealed record SendGroupMsgRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("Random")] uint Random,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgElement> MsgBody,
    [property: JsonPropertyName("CloudCustomData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CloudCustomData,
    [property: JsonPropertyName("OnlineOnlyFlag"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? OnlineOnlyFlag,
    [property: JsonPropertyName("TopicId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TopicId,
    [property: JsonPropertyName("GroupAtInfo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<GroupAtRequest>? GroupAtInfo,
    [property: JsonPropertyName("ForbidCallbackControl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ForbidCallbackControl);

/// <summary><c>group_open_http_svc/create_group</c>.</summary>
internal sealed record CreateGroupRequest(
    [property: JsonPropertyName("Owner_Account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OwnerAccount,
    [property: JsonPropertyName("Type")] string Type,
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Name")] string Name,
    [property: JsonPropertyName("MemberList"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<MemberRequest>? MemberList,
    [property: JsonPropertyName("AppDefinedData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ImKeyValue>? AppDefinedData);

/// <summary><c>group_open_http_svc/destroy_group</c>.</summary>
internal sealed record DestroyGroupRequest([property: JsonPropertyName("GroupId")] string GroupId);

/// <summary><c>group_open_http_svc/modify_group_base_info</c>: only the changed fields.</summary>
internal sealed record ModifyGroupBaseInfoRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    [property: JsonPropertyName("Introduction"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Introduction,
    [property: JsonPropertyName("Notification"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Notification,
    [property: JsonPropertyName("FaceUrl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FaceUrl,
    [property: JsonPropertyName("AppDefinedData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ImKeyValue>? AppDefinedData);

/// <summary><c>group_open_http_svc/add_group_member</c>.</summary>
internal sealed record AddGroupMemberRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Silence"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Silence,
    [property: JsonPropertyName("MemberList")] IReadOnlyList<MemberRequest> MemberList);

/// <summary><c>group_open_http_svc/delete_group_member</c>.</summary>
internal sealed record DeleteGroupMemberRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Silence"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Silence,
    [property: JsonPropertyName("MemberToDel_Account")] IReadOnlyList<string> MemberToDelAccount);

/// <summary><c>im_open_login_svc/account_import</c>: importing an account that exists already is harmless.</summary>
internal sealed record AccountImportRequest(
    [property: JsonPropertyName("UserID")] string UserId,
    [property: JsonPropertyName("Nick"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Nick = null,
    [property: JsonPropertyName("FaceUrl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FaceUrl = null);

/// <summary><c>openim/admin_msgwithdraw</c>: recalls a 1:1 message by its <c>MsgKey</c>.</summary>
internal sealed record AdminMsgWithdrawRequest(
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("To_Account")] string ToAccount,
    [property: JsonPropertyName("MsgKey")] string MsgKey);

internal sealed record MsgSeqRequest([property: JsonPropertyName("MsgSeq")] long MsgSeq);

/// <summary><c>group_open_http_svc/group_msg_recall</c>: up to 10 messages of one group by <c>MsgSeq</c>.</summary>
internal sealed record GroupMsgRecallRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("MsgSeqList")] IReadOnlyList<MsgSeqRequest> MsgSeqList,
    [property: JsonPropertyName("TopicId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TopicId);

/// <summary><c>openim/modify_c2c_msg</c>: a new body and/or custom data for a 1:1 message.</summary>
internal sealed record ModifyC2CMsgRequest(
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("To_Account")] string ToAccount,
    [property: JsonPropertyName("MsgKey")] string MsgKey,
    [property: JsonPropertyName("MsgBody"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ImMsgElement>? MsgBody,
    [property: JsonPropertyName("CloudCustomData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CloudCustomData);

/// <summary><c>openim/modify_group_msg</c>: a new body and/or custom data for a group message.</summary>
internal sealed record ModifyGroupMsgRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("MsgSeq")] long MsgSeq,
    [property: JsonPropertyName("MsgBody"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ImMsgElement>? MsgBody,
    [property: JsonPropertyName("CloudCustomData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CloudCustomData,
    [property: JsonPropertyName("TopicId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TopicId);

/// <summary>
/// <c>openim/admin_set_msg_read</c>: everything in the conversation up to <c>MsgReadTime</c> (Unix seconds) is read.
/// IM's page documents <c>MsgReadTime</c> as a string, its SDK model as an integer: the caller picks.
/// </summary>
internal sealed record AdminSetMsgReadRequest(
    [property: JsonPropertyName("Report_Account")] string ReportAccount,
    [property: JsonPropertyName("Peer_Account")] string PeerAccount,
    [property: JsonPropertyName("MsgReadTime")] object MsgReadTime);

internal sealed record ProfileItemRequest(
    [property: JsonPropertyName("Tag")] string Tag,
    [property: JsonPropertyName("Value")] JsonElement Value);

/// <summary><c>profile/portrait_set</c>: the given profile fields of one user.</summary>
internal sealed record PortraitSetRequest(
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("ProfileItem")] IReadOnlyList<ProfileItemRequest> ProfileItem);

internal sealed record AddFriendItemRequest(
    [property: JsonPropertyName("To_Account")] string ToAccount,
    [property: JsonPropertyName("AddSource")] string AddSource);

/// <summary><c>sns/friend_add</c>.</summary>
internal sealed record FriendAddRequest(
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("AddFriendItem")] IReadOnlyList<AddFriendItemRequest> AddFriendItem,
    [property: JsonPropertyName("AddType")] string AddType,
    [property: JsonPropertyName("ForceAddFlags")] int ForceAddFlags);

/// <summary><c>sns/friend_delete</c>; IM does not document the default <c>DeleteType</c>, so it is always set.</summary>
internal sealed record FriendDeleteRequest(
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("To_Account")] IReadOnlyList<string> ToAccount,
    [property: JsonPropertyName("DeleteType")] string DeleteType);

/// <summary><c>group_open_http_svc/modify_group_member_info</c>: a member's role and/or name card.</summary>
internal sealed record ModifyGroupMemberInfoRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Member_Account")] string MemberAccount,
    [property: JsonPropertyName("Role"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonPropertyName("NameCard"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NameCard);

/// <summary><c>group_open_http_svc/change_group_owner</c>.</summary>
internal sealed record ChangeGroupOwnerRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("NewOwner_Account")] string NewOwnerAccount);

/// <summary>
/// <c>openim/importmsg</c>: a 1:1 message with its own time. <c>SyncFromOldSystem</c> 2 is history (not counted unread,
/// not pushed), 5 a real-time message during a migration (counted unread and pushed); IM raises no callback for either.
/// </summary>
internal sealed record ImportMsgRequest(
    [property: JsonPropertyName("SyncFromOldSystem")] int SyncFromOldSystem,
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("To_Account")] string ToAccount,
    [property: JsonPropertyName("MsgSeq")] uint MsgSeq,
    [property: JsonPropertyName("MsgRandom")] uint MsgRandom,
    [property: JsonPropertyName("MsgTimeStamp")] long MsgTimeStamp,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgElement> MsgBody,
    [property: JsonPropertyName("CloudCustomData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CloudCustomData)
{
    public const int History = 2;
    public const int RealTime = 5;
}

/// <summary><c>group_open_http_svc/get_group_info</c> (≤ 50 groups); a base-info filter alone keeps the member list out of the answer.</summary>
internal sealed record GetGroupInfoRequest(
    [property: JsonPropertyName("GroupIdList")] IReadOnlyList<string> GroupIdList,
    [property: JsonPropertyName("ResponseFilter")] GroupInfoFilter ResponseFilter);

internal sealed record GroupInfoFilter(
    [property: JsonPropertyName("GroupBaseInfoFilter")] IReadOnlyList<string> GroupBaseInfoFilter);

/// <summary>
/// <c>group_open_http_svc/get_group_member_info</c>: one page of a group's members from <see cref="Offset"/>, at most
/// <see cref="MaxLimit"/>; a member filter keeps the answer to the fields it names.
/// </summary>
internal sealed record GetGroupMemberInfoRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("MemberInfoFilter")] IReadOnlyList<string> MemberInfoFilter,
    [property: JsonPropertyName("Limit")] int Limit,
    [property: JsonPropertyName("Offset")] int Offset)
{
    public const int MaxLimit = 6000;
}

/// <summary>
/// <c>group_open_http_svc/group_msg_get_simple</c>: the <see cref="ReqMsgNumber"/> seqs up to <see cref="ReqMsgSeq"/>,
/// newest first, at most <see cref="MaxMessages"/> per call.
/// </summary>
internal sealed record GroupMsgGetSimpleRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("ReqMsgSeq")] long ReqMsgSeq,
    [property: JsonPropertyName("ReqMsgNumber")] int ReqMsgNumber,
    [property: JsonPropertyName("WithRecalledMsg")] int WithRecalledMsg,
    [property: JsonPropertyName("TopicId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TopicId)
{
    public const int MaxMessages = 20;
}

/// <summary><c>openim/admin_getroammsg</c>: one 1:1 conversation in [MinTime, MaxTime], paged backwards in time.</summary>
internal sealed record AdminGetRoamMsgRequest(
    [property: JsonPropertyName("Operator_Account")] string OperatorAccount,
    [property: JsonPropertyName("Peer_Account")] string PeerAccount,
    [property: JsonPropertyName("MaxCnt")] int MaxCnt,
    [property: JsonPropertyName("MinTime")] long MinTime,
    [property: JsonPropertyName("MaxTime")] long MaxTime,
    [property: JsonPropertyName("LastMsgKey"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastMsgKey);
