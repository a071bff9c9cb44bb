namespace SyncGateway.Contracts;

/// <summary>The CloudEvents <c>type</c> values of the public contract (docs/legacy-contract.md).</summary>
public static class EventTypes
{
    /// <summary>IM → legacy: 1:1 message sent.</summary>
    public const string ImC2CMessageSent = "im.c2c.message.sent";
    /// <summary>IM → legacy: group created.</summary>
    public const string ImGroupCreated = "im.group.created";
    /// <summary>IM → legacy: group dismissed.</summary>
    public const string ImGroupDismissed = "im.group.dismissed";
    /// <summary>IM → legacy: group profile changed.</summary>
    public const string ImGroupProfileChanged = "im.group.profile.changed";
    /// <summary>IM → legacy: members joined.</summary>
    public const string ImGroupMembersJoined = "im.group.member.joined";
    /// <summary>IM → legacy: members left.</summary>
    public const string ImGroupMembersLeft = "im.group.member.left";
    /// <summary>IM → legacy: group message sent.</summary>
    public const string ImGroupMessageSent = "im.group.message.sent";
    /// <summary>IM → legacy: 1:1 message recalled.</summary>
    public const string ImC2CMessageRecalled = "im.c2c.message.recalled";
    /// <summary>IM → legacy: group message recalled.</summary>
    public const string ImGroupMessageRecalled = "im.group.message.recalled";
    /// <summary>IM → legacy: 1:1 message edited.</summary>
    public const string ImC2CMessageEdited = "im.c2c.message.edited";
    /// <summary>IM → legacy: group message edited.</summary>
    public const string ImGroupMessageEdited = "im.group.message.edited";
    /// <summary>IM → legacy: a 1:1 conversation was read up to a time.</summary>
    public const string ImC2CMessageRead = "im.c2c.message.read";
    /// <summary>IM → legacy: a user's profile changed.</summary>
    public const string ImProfileChanged = "im.profile.changed";
    /// <summary>IM → legacy: a user added a friend.</summary>
    public const string ImFriendAdded = "im.friend.added";
    /// <summary>IM → legacy: a user removed a friend.</summary>
    public const string ImFriendRemoved = "im.friend.removed";
    /// <summary>IM → legacy: a group member's role or name card changed.</summary>
    public const string ImGroupMemberChanged = "im.group.member.changed";
    /// <summary>IM → legacy: a group's owner changed.</summary>
    public const string ImGroupOwnerChanged = "im.group.owner.changed";

    /// <summary>Legacy → IM: 1:1 message sent.</summary>
    public const string LegacyC2CMessageSent = "legacy.c2c.message.sent";
    /// <summary>Legacy → IM: group created.</summary>
    public const string LegacyGroupCreated = "legacy.group.created";
    /// <summary>Legacy → IM: group dismissed.</summary>
    public const string LegacyGroupDismissed = "legacy.group.dismissed";
    /// <summary>Legacy → IM: group profile changed.</summary>
    public const string LegacyGroupProfileChanged = "legacy.group.profile.changed";
    /// <summary>Legacy → IM: members joined.</summary>
    public const string LegacyGroupMembersJoined = "legacy.group.member.joined";
    /// <summary>Legacy → IM: members left.</summary>
    public const string LegacyGroupMembersLeft = "legacy.group.member.left";
    /// <summary>Legacy → IM: group message sent.</summary>
    public const string LegacyGroupMessageSent = "legacy.group.message.sent";
    /// <summary>Legacy → IM: a user account was created (IM has no account events, so there is no <c>im.</c> counterpart).</summary>
    public const string LegacyAccountCreated = "legacy.account.created";
    /// <summary>Legacy → IM: 1:1 message recalled.</summary>
    public const string LegacyC2CMessageRecalled = "legacy.c2c.message.recalled";
    /// <summary>Legacy → IM: group message recalled.</summary>
    public const string LegacyGroupMessageRecalled = "legacy.group.message.recalled";
    /// <summary>Legacy → IM: 1:1 message edited.</summary>
    public const string LegacyC2CMessageEdited = "legacy.c2c.message.edited";
    /// <summary>Legacy → IM: group message edited.</summary>
    public const string LegacyGroupMessageEdited = "legacy.group.message.edited";
    /// <summary>Legacy → IM: a 1:1 conversation was read up to a time.</summary>
    public const string LegacyC2CMessageRead = "legacy.c2c.message.read";
    /// <summary>Legacy → IM: a user's profile changed.</summary>
    public const string LegacyProfileChanged = "legacy.profile.changed";
    /// <summary>Legacy → IM: a user added a friend.</summary>
    public const string LegacyFriendAdded = "legacy.friend.added";
    /// <summary>Legacy → IM: a user removed a friend.</summary>
    public const string LegacyFriendRemoved = "legacy.friend.removed";
    /// <summary>Legacy → IM: a group member's role or name card changed.</summary>
    public const string LegacyGroupMemberChanged = "legacy.group.member.changed";
    /// <summary>Legacy → IM: a group's owner changed.</summary>
    public const string LegacyGroupOwnerChanged = "legacy.group.owner.changed";
}
