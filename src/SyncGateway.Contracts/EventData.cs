using System.Text.Json;

namespace SyncGateway.Contracts;

/// <summary>Event data about one group.</summary>
public interface IGroupEventData
{
    /// <summary>Group id.</summary>
    string GroupId { get; }
}

/// <summary>A one-to-one message (<c>im.c2c.message.sent</c> / <c>legacy.c2c.message.sent</c>).</summary>
/// <param name="From">Sender user id.</param>
/// <param name="To">Recipient user id.</param>
/// <param name="Body">Message elements in order.</param>
/// <param name="MsgSeq">IM <c>MsgSeq</c> (uint32); chosen by the sender for 1:1 messages, not unique.</param>
/// <param name="MsgRandom">IM <c>MsgRandom</c> (uint32).</param>
/// <param name="MsgTime">Send time, Unix seconds.</param>
/// <param name="MsgKey">IM's unique message key (opaque).</param>
/// <param name="MsgId">IM client-side message id, when IM sends one.</param>
/// <param name="CloudCustomData">Custom data stored with the message.</param>
/// <param name="OnlineOnly">True for online-only messages that IM does not store.</param>
/// <param name="SendMsgResult">IM's delivery result; 0 = delivered. Non-zero events are not relayed by default.</param>
/// <param name="LegacyMessageId">
/// The legacy system's own id of the message. Legacy → IM: optional, the CloudEvent <c>id</c> when absent. IM → legacy:
/// present when the message came from legacy, absent for a message born in IM.
/// </param>
public sealed record C2CMessageData(
    string From,
    string To,
    IReadOnlyList<MessageElement> Body,
    long? MsgSeq = null,
    long? MsgRandom = null,
    long? MsgTime = null,
    string? MsgKey = null,
    string? MsgId = null,
    string? CloudCustomData = null,
    bool? OnlineOnly = null,
    int? SendMsgResult = null,
    string? LegacyMessageId = null);

/// <summary>A group message (<c>im.group.message.sent</c> / <c>legacy.group.message.sent</c>).</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="From">Sender user id.</param>
/// <param name="Body">Message elements in order.</param>
/// <param name="MsgSeq">IM per-group sequence (strictly increasing in a group).</param>
/// <param name="Random">IM <c>Random</c> (uint32) of the send.</param>
/// <param name="MsgTime">Send time, Unix seconds.</param>
/// <param name="MsgId">IM client-side message id, when IM sends one.</param>
/// <param name="CloudCustomData">Custom data stored with the message.</param>
/// <param name="OnlineOnly">True for online-only messages.</param>
/// <param name="TopicId">Topic id in topic-enabled communities.</param>
/// <param name="Mentions">@-mentions.</param>
/// <param name="Operator">The user that issued the request (IM <c>Operator_Account</c>).</param>
/// <param name="LegacyMessageId">
/// The legacy system's own id of the message. Legacy → IM: optional, the CloudEvent <c>id</c> when absent. IM → legacy:
/// present when the message came from legacy, absent for a message born in IM.
/// </param>
public sealed record GroupMessageData(
    string GroupId,
    string From,
    IReadOnlyList<MessageElement> Body,
    long? MsgSeq = null,
    long? Random = null,
    long? MsgTime = null,
    string? MsgId = null,
    string? CloudCustomData = null,
    bool? OnlineOnly = null,
    string? TopicId = null,
    IReadOnlyList<GroupMention>? Mentions = null,
    string? Operator = null,
    string? LegacyMessageId = null) : IGroupEventData;

/// <summary>A group was created (<c>im.group.created</c> / <c>legacy.group.created</c>).</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="Type">IM group type (<c>Public</c>, <c>Private</c>/<c>Work</c>, <c>ChatRoom</c>/<c>Meeting</c>, <c>AVChatRoom</c>, <c>Community</c>).</param>
/// <param name="Name">Group name.</param>
/// <param name="Owner">Owner user id.</param>
/// <param name="Operator">User that created the group.</param>
/// <param name="Members">Initial members.</param>
/// <param name="CustomFields">Group custom fields set at creation.</param>
public sealed record GroupCreatedData(
    string GroupId,
    string Type,
    string Name,
    string? Owner = null,
    string? Operator = null,
    IReadOnlyList<string>? Members = null,
    IReadOnlyList<CustomField>? CustomFields = null) : IGroupEventData;

/// <summary>A group was dismissed (<c>im.group.dismissed</c> / <c>legacy.group.dismissed</c>).</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="Type">IM group type.</param>
/// <param name="Name">Group name.</param>
/// <param name="Owner">Owner user id.</param>
/// <param name="Members">Members at the time of dismissal.</param>
public sealed record GroupDismissedData(
    string GroupId,
    string? Type = null,
    string? Name = null,
    string? Owner = null,
    IReadOnlyList<string>? Members = null) : IGroupEventData;

/// <summary>
/// A group's basic profile changed (<c>im.group.profile.changed</c> / <c>legacy.group.profile.changed</c>).
/// Only changed fields are present; an absent (null) field is unchanged.
/// </summary>
/// <param name="GroupId">Group id.</param>
/// <param name="Type">IM group type.</param>
/// <param name="Operator">User that made the change.</param>
/// <param name="Name">New name.</param>
/// <param name="Introduction">New introduction.</param>
/// <param name="Notification">New announcement.</param>
/// <param name="FaceUrl">New avatar URL.</param>
/// <param name="CustomFields">Changed group custom fields.</param>
public sealed record GroupProfileChangedData(
    string GroupId,
    string? Type = null,
    string? Operator = null,
    string? Name = null,
    string? Introduction = null,
    string? Notification = null,
    string? FaceUrl = null,
    IReadOnlyList<CustomField>? CustomFields = null) : IGroupEventData;

/// <summary>Members joined a group (<c>im.group.member.joined</c> / <c>legacy.group.member.joined</c>).</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="Members">The new members.</param>
/// <param name="Type">IM group type.</param>
/// <param name="JoinType">IM <c>JoinType</c>: <c>Apply</c> or <c>Invited</c>.</param>
/// <param name="Operator">User that performed the operation.</param>
public sealed record GroupMembersJoinedData(
    string GroupId,
    IReadOnlyList<string> Members,
    string? Type = null,
    string? JoinType = null,
    string? Operator = null) : IGroupEventData;

/// <summary>Members left a group (<c>im.group.member.left</c> / <c>legacy.group.member.left</c>).</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="Members">The members who left.</param>
/// <param name="Type">IM group type.</param>
/// <param name="ExitType">IM <c>ExitType</c>: <c>Quit</c> or <c>Kicked</c>.</param>
/// <param name="Operator">User that performed the operation.</param>
public sealed record GroupMembersLeftData(
    string GroupId,
    IReadOnlyList<string> Members,
    string? Type = null,
    string? ExitType = null,
    string? Operator = null) : IGroupEventData;

/// <summary>A user account was created on the legacy side (<c>legacy.account.created</c>; legacy → IM only).</summary>
/// <param name="UserId">The user id, the same on both sides.</param>
/// <param name="Nick">Nickname (IM <c>Tag_Profile_IM_Nick</c>).</param>
/// <param name="FaceUrl">Avatar URL (IM <c>Tag_Profile_IM_Image</c>).</param>
public sealed record AccountCreatedData(
    string UserId,
    string? Nick = null,
    string? FaceUrl = null);

/// <summary>
/// The earlier message a recall or edit refers to, by any of its ids: at least one identifying form (the legacy id,
/// IM's <c>MsgKey</c> of a 1:1 message, or group and <c>MsgSeq</c> of a group message). The gateway fills in the
/// others from its message ledger when it relays.
/// </summary>
/// <param name="LegacyMessageId">The legacy system's id of the message.</param>
/// <param name="MsgKey">IM's key of a 1:1 message.</param>
/// <param name="GroupId">The group of a group message.</param>
/// <param name="MsgSeq">IM's sequence number of a group message.</param>
/// <param name="TopicId">The topic of a group message in a topic-enabled community.</param>
public sealed record MessageTarget(
    string? LegacyMessageId = null,
    string? MsgKey = null,
    string? GroupId = null,
    long? MsgSeq = null,
    string? TopicId = null);

/// <summary>A 1:1 message was recalled (<c>im.c2c.message.recalled</c> / <c>legacy.c2c.message.recalled</c>).</summary>
/// <param name="From">Sender of the recalled message.</param>
/// <param name="To">Recipient of the recalled message.</param>
/// <param name="Target">The recalled message.</param>
/// <param name="UnreadMsgNum">The recipient's total 1:1 unread count after the recall, when IM sends it.</param>
public sealed record C2CMessageRecalledData(
    string From,
    string To,
    MessageTarget Target,
    int? UnreadMsgNum = null);

/// <summary>A group message was recalled (<c>im.group.message.recalled</c> / <c>legacy.group.message.recalled</c>); one event per message.</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="Target">The recalled message.</param>
/// <param name="Operator">Who recalled it.</param>
/// <param name="Type">IM group type.</param>
/// <param name="MsgId">IM client-side message id, when IM sends one.</param>
public sealed record GroupMessageRecalledData(
    string GroupId,
    MessageTarget Target,
    string? Operator = null,
    string? Type = null,
    string? MsgId = null) : IGroupEventData;

/// <summary>
/// A 1:1 message was edited (<c>im.c2c.message.edited</c> / <c>legacy.c2c.message.edited</c>). An absent body or
/// custom data is unchanged.
/// </summary>
/// <param name="From">Sender of the edited message.</param>
/// <param name="To">Recipient of the edited message.</param>
/// <param name="Target">The edited message.</param>
/// <param name="Body">The new message elements, replacing the whole body.</param>
/// <param name="CloudCustomData">The new custom data.</param>
/// <param name="Operator">Who edited it.</param>
public sealed record C2CMessageEditedData(
    string From,
    string To,
    MessageTarget Target,
    IReadOnlyList<MessageElement>? Body = null,
    string? CloudCustomData = null,
    string? Operator = null);

/// <summary>
/// A group message was edited (<c>im.group.message.edited</c> / <c>legacy.group.message.edited</c>). An absent body
/// or custom data is unchanged.
/// </summary>
/// <param name="GroupId">Group id.</param>
/// <param name="Target">The edited message.</param>
/// <param name="Body">The new message elements, replacing the whole body.</param>
/// <param name="CloudCustomData">The new custom data.</param>
/// <param name="Operator">Who edited it.</param>
public sealed record GroupMessageEditedData(
    string GroupId,
    MessageTarget Target,
    IReadOnlyList<MessageElement>? Body = null,
    string? CloudCustomData = null,
    string? Operator = null) : IGroupEventData;

/// <summary>
/// A 1:1 conversation was read (<c>im.c2c.message.read</c> / <c>legacy.c2c.message.read</c>): every message of it up
/// to <paramref name="ReadUpTo"/> is read by <paramref name="Reader"/>.
/// </summary>
/// <param name="Reader">Who read.</param>
/// <param name="Peer">The other user of the conversation.</param>
/// <param name="ReadUpTo">The read-up-to mark, Unix seconds.</param>
/// <param name="UnreadMsgNum">The reader's total 1:1 unread count afterwards, when IM sends it.</param>
public sealed record C2CMessageReadData(
    string Reader,
    string Peer,
    long ReadUpTo,
    int? UnreadMsgNum = null);

/// <summary>
/// A user's profile changed (<c>im.profile.changed</c> / <c>legacy.profile.changed</c>). Only changed fields are
/// present; an absent field is unchanged.
/// </summary>
/// <param name="UserId">Whose profile changed.</param>
/// <param name="Nick">Nickname (IM <c>Tag_Profile_IM_Nick</c>).</param>
/// <param name="FaceUrl">Avatar URL (<c>Tag_Profile_IM_Image</c>).</param>
/// <param name="Gender">IM gender value (<c>Tag_Profile_IM_Gender</c>): <c>Gender_Type_Unknown</c>, <c>Gender_Type_Female</c> or <c>Gender_Type_Male</c>.</param>
/// <param name="Birthday">Birthday as IM stores it (<c>Tag_Profile_IM_BirthDay</c>), e.g. 19900101.</param>
/// <param name="SelfSignature">Status line (<c>Tag_Profile_IM_SelfSignature</c>).</param>
/// <param name="Custom">Custom profile fields by their full IM tag (<c>Tag_Profile_Custom_…</c>): a string or an unsigned integer each.</param>
/// <param name="Operator">Who made the change.</param>
public sealed record ProfileChangedData(
    string UserId,
    string? Nick = null,
    string? FaceUrl = null,
    string? Gender = null,
    long? Birthday = null,
    string? SelfSignature = null,
    IReadOnlyDictionary<string, JsonElement>? Custom = null,
    string? Operator = null);

/// <summary>A user added a friend (<c>im.friend.added</c> / <c>legacy.friend.added</c>): <paramref name="To"/> is now in <paramref name="From"/>'s list.</summary>
/// <param name="From">Whose friend list changed.</param>
/// <param name="To">The friend added.</param>
/// <param name="Initiator">Who asked for the friendship, when IM says.</param>
public sealed record FriendAddedData(
    string From,
    string To,
    string? Initiator = null);

/// <summary>A user removed a friend (<c>im.friend.removed</c> / <c>legacy.friend.removed</c>): <paramref name="To"/> is no longer in <paramref name="From"/>'s list.</summary>
/// <param name="From">Whose friend list changed.</param>
/// <param name="To">The friend removed.</param>
public sealed record FriendRemovedData(
    string From,
    string To);

/// <summary>
/// A group member's role or name card changed (<c>im.group.member.changed</c> / <c>legacy.group.member.changed</c>).
/// Only changed fields are present.
/// </summary>
/// <param name="GroupId">Group id.</param>
/// <param name="Member">The member whose role or name card changed.</param>
/// <param name="Role">The new role: <c>Admin</c> or <c>Member</c>.</param>
/// <param name="NameCard">The new name card (the member's name in this group).</param>
/// <param name="Type">IM group type.</param>
/// <param name="Operator">Who made the change.</param>
public sealed record GroupMemberChangedData(
    string GroupId,
    string Member,
    string? Role = null,
    string? NameCard = null,
    string? Type = null,
    string? Operator = null) : IGroupEventData;

/// <summary>A group's owner changed (<c>im.group.owner.changed</c> / <c>legacy.group.owner.changed</c>).</summary>
/// <param name="GroupId">Group id.</param>
/// <param name="NewOwner">The new owner, a member of the group.</param>
/// <param name="OldOwner">The previous owner, when known.</param>
/// <param name="Type">IM group type.</param>
/// <param name="Operator">Who made the change.</param>
public sealed record GroupOwnerChangedData(
    string GroupId,
    string NewOwner,
    string? OldOwner = null,
    string? Type = null,
    string? Operator = null) : IGroupEventData;
