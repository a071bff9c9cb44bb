using System.Text.Json;
using System.Text.Json.Serialization;

namespace SyncGateway.Im;

// IM's after-callback bodies as its callback pages document them. Every field is optional on the wire:
// Tencent adds fields over time and samples disagree, so the event declarations decide what is required.

internal sealed record ImMemberItem([property: JsonPropertyName("Member_Account")] string? MemberAccount);

internal sealed record ImKeyValueItem(
    [property: JsonPropertyName("Key")] string? Key,
    [property: JsonPropertyName("Value")] string? Value);

internal sealed record ImMsgBodyItem(
    [property: JsonPropertyName("MsgType")] string? MsgType,
    [property: JsonPropertyName("MsgContent")] JsonElement MsgContent);

internal sealed record ImGroupAtItem(
    [property: JsonPropertyName("GroupAtAllFlag")] int? GroupAtAllFlag,
    [property: JsonPropertyName("GroupAt_Account")] string? GroupAtAccount);

internal sealed record C2CAfterSendMsgBody(
    [property: JsonPropertyName("From_Account")] string? FromAccount,
    [property: JsonPropertyName("To_Account")] string? ToAccount,
    [property: JsonPropertyName("MsgSeq")] long? MsgSeq,
    [property: JsonPropertyName("MsgRandom")] long? MsgRandom,
    [property: JsonPropertyName("MsgTime")] long? MsgTime,
    [property: JsonPropertyName("MsgKey")] string? MsgKey,
    [property: JsonPropertyName("MsgId")] string? MsgId,
    [property: JsonPropertyName("OnlineOnlyFlag")] int? OnlineOnlyFlag,
    [property: JsonPropertyName("SendMsgResult")] int? SendMsgResult,
    [property: JsonPropertyName("UnreadMsgNum")] int? UnreadMsgNum,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgBodyItem>? MsgBody,
    [property: JsonPropertyName("CloudCustomData")] string? CloudCustomData,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record GroupCreatedBody(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("Owner_Account")] string? OwnerAccount,
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("Name")] string? Name,
    [property: JsonPropertyName("MemberList")] IReadOnlyList<ImMemberItem>? MemberList,
    [property: JsonPropertyName("UserDefinedDataList")] IReadOnlyList<ImKeyValueItem>? UserDefinedDataList,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record GroupDestroyedBody(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("Owner_Account")] string? OwnerAccount,
    [property: JsonPropertyName("Name")] string? Name,
    [property: JsonPropertyName("MemberList")] IReadOnlyList<ImMemberItem>? MemberList,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record GroupInfoChangedBody(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("Name")] string? Name,
    [property: JsonPropertyName("Introduction")] string? Introduction,
    [property: JsonPropertyName("Notification")] string? Notification,
    [property: JsonPropertyName("FaceUrl")] string? FaceUrl,
    [property: JsonPropertyName("UserDefinedDataList")] IReadOnlyList<ImKeyValueItem>? UserDefinedDataList,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record NewMemberJoinBody(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("JoinType")] string? JoinType,
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("NewMemberList")] IReadOnlyList<ImMemberItem>? NewMemberList,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record MemberExitBody(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("ExitType")] string? ExitType,
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("ExitMemberList")] IReadOnlyList<ImMemberItem>? ExitMemberList,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record GroupAfterSendMsgBody(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("From_Account")] string? FromAccount,
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("Random")] long? Random,
    [property: JsonPropertyName("MsgSeq")] long? MsgSeq,
    [property: JsonPropertyName("MsgId")] string? MsgId,
    [property: JsonPropertyName("MsgTime")] long? MsgTime,
    [property: JsonPropertyName("OnlineOnlyFlag")] int? OnlineOnlyFlag,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgBodyItem>? MsgBody,
    [property: JsonPropertyName("CloudCustomData")] string? CloudCustomData,
    [property: JsonPropertyName("TopicId")] string? TopicId,
    [property: JsonPropertyName("GroupAtInfo")] IReadOnlyList<ImGroupAtItem>? GroupAtInfo,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record C2CMsgWithDrawBody(
    [property: JsonPropertyName("From_Account")] string? FromAccount,
    [property: JsonPropertyName("To_Account")] string? ToAccount,
    [property: JsonPropertyName("MsgKey")] string? MsgKey,
    [property: JsonPropertyName("UnreadMsgNum")] int? UnreadMsgNum,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record ImMsgSeqItem(
    [property: JsonPropertyName("MsgSeq")] long? MsgSeq,
    [property: JsonPropertyName("MsgId")] string? MsgId);

internal sealed record GroupRecallMsgBody(
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("MsgSeqList")] IReadOnlyList<ImMsgSeqItem>? MsgSeqList,
    [property: JsonPropertyName("TopicId")] string? TopicId,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record C2CModifyMsgBody(
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("From_Account")] string? FromAccount,
    [property: JsonPropertyName("To_Account")] string? ToAccount,
    [property: JsonPropertyName("MsgKey")] string? MsgKey,
    [property: JsonPropertyName("MsgTime")] long? MsgTime,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgBodyItem>? MsgBody,
    [property: JsonPropertyName("CloudCustomData")] string? CloudCustomData,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record GroupModifyMsgBody(
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("TopicId")] string? TopicId,
    [property: JsonPropertyName("MsgSeq")] long? MsgSeq,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgBodyItem>? MsgBody,
    [property: JsonPropertyName("CloudCustomData")] string? CloudCustomData,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record C2CMsgReportBody(
    [property: JsonPropertyName("Report_Account")] string? ReportAccount,
    [property: JsonPropertyName("Peer_Account")] string? PeerAccount,
    [property: JsonPropertyName("LastReadTime")] long? LastReadTime,
    [property: JsonPropertyName("UnreadMsgNum")] int? UnreadMsgNum,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record ImProfileItem(
    [property: JsonPropertyName("Tag")] string? Tag,
    [property: JsonPropertyName("Value")] JsonElement Value);

internal sealed record PortraitSetBody(
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("From_Account")] string? FromAccount,
    [property: JsonPropertyName("ProfileItem")] IReadOnlyList<ImProfileItem>? ProfileItem,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record ImFriendPair(
    [property: JsonPropertyName("From_Account")] string? FromAccount,
    [property: JsonPropertyName("To_Account")] string? ToAccount,
    [property: JsonPropertyName("Initiator_Account")] string? InitiatorAccount);

internal sealed record FriendChangeBody(
    [property: JsonPropertyName("PairList")] IReadOnlyList<ImFriendPair>? PairList,
    [property: JsonPropertyName("Admin_Account")] string? AdminAccount,
    [property: JsonPropertyName("EventTime")] long? EventTime);

/// <summary>IM's pages disagree on the member's field name (<c>Modified_Account</c> or <c>Member_Account</c>): both are read.</summary>
internal sealed record MemberFieldChangedBody(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("Modified_Account")] string? ModifiedAccount,
    [property: JsonPropertyName("Member_Account")] string? MemberAccount,
    [property: JsonPropertyName("Role")] string? Role,
    [property: JsonPropertyName("NameCard")] string? NameCard,
    [property: JsonPropertyName("EventTime")] long? EventTime);

internal sealed record ChangeGroupOwnerBody(
    [property: JsonPropertyName("GroupId")] string? GroupId,
    [property: JsonPropertyName("Type")] string? Type,
    [property: JsonPropertyName("Operator_Account")] string? OperatorAccount,
    [property: JsonPropertyName("OldOwner_Account")] string? OldOwnerAccount,
    [property: JsonPropertyName("NewOwner_Account")] string? NewOwnerAccount,
    [property: JsonPropertyName("EventTime")] long? EventTime);
