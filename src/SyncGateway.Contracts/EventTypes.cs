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
}
