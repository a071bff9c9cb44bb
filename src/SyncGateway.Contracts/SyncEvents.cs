namespace SyncGateway.Contracts;

/// <summary>Any sync event on the bus: its CloudEvents envelope.</summary>
public interface ISyncEvent
{
    /// <summary>The CloudEvents envelope.</summary>
    EventMeta Meta { get; }
}

/// <summary>A sync event with its typed <c>data</c>.</summary>
/// <typeparam name="TData">The event's data model, shared by both directions.</typeparam>
public interface ISyncEvent<out TData> : ISyncEvent
{
    /// <summary>The CloudEvents <c>data</c>.</summary>
    TData Data { get; }
}

/// <summary>IM: a 1:1 message was sent (<c>C2C.CallbackAfterSendMsg</c>).</summary>
public sealed record ImC2CMessageSent(EventMeta Meta, C2CMessageData Data) : ISyncEvent<C2CMessageData>;

/// <summary>IM: a group was created (<c>Group.CallbackAfterCreateGroup</c>).</summary>
public sealed record ImGroupCreated(EventMeta Meta, GroupCreatedData Data) : ISyncEvent<GroupCreatedData>;

/// <summary>IM: a group was dismissed (<c>Group.CallbackAfterGroupDestroyed</c>).</summary>
public sealed record ImGroupDismissed(EventMeta Meta, GroupDismissedData Data) : ISyncEvent<GroupDismissedData>;

/// <summary>IM: a group's profile changed (<c>Group.CallbackAfterGroupInfoChanged</c>).</summary>
public sealed record ImGroupProfileChanged(EventMeta Meta, GroupProfileChangedData Data) : ISyncEvent<GroupProfileChangedData>;

/// <summary>IM: members joined a group (<c>Group.CallbackAfterNewMemberJoin</c>).</summary>
public sealed record ImGroupMembersJoined(EventMeta Meta, GroupMembersJoinedData Data) : ISyncEvent<GroupMembersJoinedData>;

/// <summary>IM: members left a group (<c>Group.CallbackAfterMemberExit</c>).</summary>
public sealed record ImGroupMembersLeft(EventMeta Meta, GroupMembersLeftData Data) : ISyncEvent<GroupMembersLeftData>;

/// <summary>IM: a group message was sent (<c>Group.CallbackAfterSendMsg</c>).</summary>
public sealed record ImGroupMessageSent(EventMeta Meta, GroupMessageData Data) : ISyncEvent<GroupMessageData>;

/// <summary>Legacy: a 1:1 message was sent (<c>legacy.c2c.message.sent</c>).</summary>
public sealed record LegacyC2CMessageSent(EventMeta Meta, C2CMessageData Data) : ISyncEvent<C2CMessageData>;

/// <summary>Legacy: a group was created (<c>legacy.group.created</c>).</summary>
public sealed record LegacyGroupCreated(EventMeta Meta, GroupCreatedData Data) : ISyncEvent<GroupCreatedData>;

/// <summary>Legacy: a group was dismissed (<c>legacy.group.dismissed</c>).</summary>
public sealed record LegacyGroupDismissed(EventMeta Meta, GroupDismissedData Data) : ISyncEvent<GroupDismissedData>;

/// <summary>Legacy: a group's profile changed (<c>legacy.group.profile.changed</c>).</summary>
public sealed record LegacyGroupProfileChanged(EventMeta Meta, GroupProfileChangedData Data) : ISyncEvent<GroupProfileChangedData>;

/// <summary>Legacy: members joined a group (<c>legacy.group.member.joined</c>).</summary>
public sealed record LegacyGroupMembersJoined(EventMeta Meta, GroupMembersJoinedData Data) : ISyncEvent<GroupMembersJoinedData>;

/// <summary>Legacy: members left a group (<c>legacy.group.member.left</c>).</summary>
public sealed record LegacyGroupMembersLeft(EventMeta Meta, GroupMembersLeftData Data) : ISyncEvent<GroupMembersLeftData>;

/// <summary>Legacy: a group message was sent (<c>legacy.group.message.sent</c>).</summary>
public sealed record LegacyGroupMessageSent(EventMeta Meta, GroupMessageData Data) : ISyncEvent<GroupMessageData>;

/// <summary>Legacy: a user account was created (<c>legacy.account.created</c>).</summary>
public sealed record LegacyAccountCreated(EventMeta Meta, AccountCreatedData Data) : ISyncEvent<AccountCreatedData>;

/// <summary>IM: a 1:1 message was recalled (<c>C2C.CallbackAfterMsgWithDraw</c>).</summary>
public sealed record ImC2CMessageRecalled(EventMeta Meta, C2CMessageRecalledData Data) : ISyncEvent<C2CMessageRecalledData>;

/// <summary>Legacy: a 1:1 message was recalled (<c>legacy.c2c.message.recalled</c>).</summary>
public sealed record LegacyC2CMessageRecalled(EventMeta Meta, C2CMessageRecalledData Data) : ISyncEvent<C2CMessageRecalledData>;

/// <summary>IM: a group message was recalled (<c>Group.CallbackAfterRecallMsg</c>, one event per recalled message).</summary>
public sealed record ImGroupMessageRecalled(EventMeta Meta, GroupMessageRecalledData Data) : ISyncEvent<GroupMessageRecalledData>;

/// <summary>Legacy: a group message was recalled (<c>legacy.group.message.recalled</c>).</summary>
public sealed record LegacyGroupMessageRecalled(EventMeta Meta, GroupMessageRecalledData Data) : ISyncEvent<GroupMessageRecalledData>;

/// <summary>IM: a 1:1 message was edited (<c>C2C.CallbackAfterModifyMsg</c>).</summary>
public sealed record ImC2CMessageEdited(EventMeta Meta, C2CMessageEditedData Data) : ISyncEvent<C2CMessageEditedData>;

/// <summary>Legacy: a 1:1 message was edited (<c>legacy.c2c.message.edited</c>).</summary>
public sealed record LegacyC2CMessageEdited(EventMeta Meta, C2CMessageEditedData Data) : ISyncEvent<C2CMessageEditedData>;

/// <summary>IM: a group message was edited (<c>Group.CallbackAfterModifyMsg</c>).</summary>
public sealed record ImGroupMessageEdited(EventMeta Meta, GroupMessageEditedData Data) : ISyncEvent<GroupMessageEditedData>;

/// <summary>Legacy: a group message was edited (<c>legacy.group.message.edited</c>).</summary>
public sealed record LegacyGroupMessageEdited(EventMeta Meta, GroupMessageEditedData Data) : ISyncEvent<GroupMessageEditedData>;

/// <summary>IM: a 1:1 conversation was read (<c>C2C.CallbackAfterMsgReport</c>).</summary>
public sealed record ImC2CMessageRead(EventMeta Meta, C2CMessageReadData Data) : ISyncEvent<C2CMessageReadData>;

/// <summary>Legacy: a 1:1 conversation was read (<c>legacy.c2c.message.read</c>).</summary>
public sealed record LegacyC2CMessageRead(EventMeta Meta, C2CMessageReadData Data) : ISyncEvent<C2CMessageReadData>;

/// <summary>IM: a user's profile changed (<c>Profile.CallbackPortraitSet</c>).</summary>
public sealed record ImProfileChanged(EventMeta Meta, ProfileChangedData Data) : ISyncEvent<ProfileChangedData>;

/// <summary>Legacy: a user's profile changed (<c>legacy.profile.changed</c>).</summary>
public sealed record LegacyProfileChanged(EventMeta Meta, ProfileChangedData Data) : ISyncEvent<ProfileChangedData>;

/// <summary>IM: a user added a friend (<c>Sns.CallbackFriendAdd</c>, one event per pair).</summary>
public sealed record ImFriendAdded(EventMeta Meta, FriendAddedData Data) : ISyncEvent<FriendAddedData>;

/// <summary>Legacy: a user added a friend (<c>legacy.friend.added</c>).</summary>
public sealed record LegacyFriendAdded(EventMeta Meta, FriendAddedData Data) : ISyncEvent<FriendAddedData>;

/// <summary>IM: a user removed a friend (<c>Sns.CallbackFriendDelete</c>, one event per pair).</summary>
public sealed record ImFriendRemoved(EventMeta Meta, FriendRemovedData Data) : ISyncEvent<FriendRemovedData>;

/// <summary>Legacy: a user removed a friend (<c>legacy.friend.removed</c>).</summary>
public sealed record LegacyFriendRemoved(EventMeta Meta, FriendRemovedData Data) : ISyncEvent<FriendRemovedData>;

/// <summary>IM: a group member's role or name card changed (<c>Group.CallbackAfterMemberFieldChanged</c>).</summary>
public sealed record ImGroupMemberChanged(EventMeta Meta, GroupMemberChangedData Data) : ISyncEvent<GroupMemberChangedData>;

/// <summary>Legacy: a group member's role or name card changed (<c>legacy.group.member.changed</c>).</summary>
public sealed record LegacyGroupMemberChanged(EventMeta Meta, GroupMemberChangedData Data) : ISyncEvent<GroupMemberChangedData>;

/// <summary>IM: a group's owner changed (<c>Group.CallbackAfterChangeGroupOwner</c>).</summary>
public sealed record ImGroupOwnerChanged(EventMeta Meta, GroupOwnerChangedData Data) : ISyncEvent<GroupOwnerChangedData>;

/// <summary>Legacy: a group's owner changed (<c>legacy.group.owner.changed</c>).</summary>
public sealed record LegacyGroupOwnerChanged(EventMeta Meta, GroupOwnerChangedData Data) : ISyncEvent<GroupOwnerChangedData>;
