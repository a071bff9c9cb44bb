using SyncGateway.Messaging;

namespace SyncGateway.Store;

/// <summary>
/// Every key shape the gateway stores (without the configured <c>Redis:KeyPrefix</c>, which the store adds).
/// An event type contributes only the <em>part</em> of an echo key that names one of its messages, members or
/// fields (its fingerprint); the shapes around it are here.
/// </summary>
internal static class RedisKeys
{
    /// <summary>The event was delivered to legacy or applied to IM: a redelivery is a duplicate.</summary>
    public static string Done(RelayDirection direction, string eventId)
        => (direction == RelayDirection.ImToLegacy ? "delivered:" : "applied:") + eventId;

    // Origin tags and the keys that guard them are written and taken in one script each, so they share a Redis Cluster
    // hash slot: the conversation's, as a hash tag. An echo belongs to the conversation of the write that causes it.

    /// <summary>Guards the origin tags one event (or import batch) wrote in a conversation, so a retried write adds none.</summary>
    public static string TagsWritten(RelayDirection causedBy, string conversation, string eventId)
        => (causedBy == RelayDirection.ImToLegacy ? "tagged:im:" : "tagged:lg:") + ConversationTag(conversation) + ":" + eventId;

    /// <summary>Remembers which parts of one arriving event were taken as echoes, so a redelivery gets the same answer.</summary>
    public static string EchoDecision(RelayDirection arriving, string conversation, string eventId)
        => (arriving == RelayDirection.ImToLegacy ? "echo:im:" : "echo:lg:") + ConversationTag(conversation) + ":" + eventId;

    /// <summary>An origin tag: one expected IM callback caused by our IM write.</summary>
    public static string ImEcho(string conversation, string part) => "im:" + ConversationTag(conversation) + ":" + part;

    /// <summary>An origin tag: one expected legacy delta caused by our relay to legacy.</summary>
    public static string LegacyEcho(string conversation, string part) => "lg:" + ConversationTag(conversation) + ":" + part;

    /// <summary>An origin tag: a legacy delta naming our relayed event in its <c>syncorigin</c> attribute.</summary>
    public static string LegacyOrigin(string conversation, string relayedEventId) => "lg:origin:" + ConversationTag(conversation) + ":" + relayedEventId;

    // The ledger stores each message's whole entry under each of its ids and reads and writes every such key alone,
    // never in a script or transaction with another key: in a Redis Cluster each may live in any slot, and no id has
    // to be known to find the others.

    /// <summary>A conversation whose history the import is still writing (its legacy → IM events wait).</summary>
    public static string Hold(string conversation) => "hold:" + conversation;

    /// <summary>The ledger entry of one message, by the legacy side's message id.</summary>
    public static string LedgerByLegacyId(string legacyMessageId) => "ledger:lg:" + legacyMessageId;

    /// <summary>The ledger entry of one 1:1 message, by IM's <c>MsgKey</c>.</summary>
    public static string LedgerByMsgKey(string msgKey) => "ledger:c2c:" + msgKey;

    /// <summary>
    /// The ledger entry of one group message, by group, topic (in topic-enabled communities) and IM's <c>MsgSeq</c>.
    /// The group id's length keeps a colon in a custom group id from making two keys equal.
    /// </summary>
    public static string LedgerByGroupSeq(string groupId, string? topicId, long msgSeq)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ledger:grp:{msgSeq}:{groupId.Length}:{groupId}:{topicId}");

    /// <summary>
    /// The ledger entry of one 1:1 message whose <c>MsgKey</c> IM did not answer (<c>importmsg</c>), by the ids the
    /// gateway chose for it and IM's history lists with it: sender, recipient, <c>MsgRandom</c> and <c>MsgTimeStamp</c>.
    /// </summary>
    public static string LedgerByC2CIds(string from, string to, long msgRandom, long msgTime)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"ledger:c2cid:{msgRandom}:{msgTime}:{from.Length}:{from}:{to}");

    // The delivery ledger: one list of steps per event, and one list of event ids per message id. Each is appended to and
    // read alone (never in one script with another key), so each may live in any Redis Cluster slot; the event id is a
    // hash tag all the same, so a later write touching an event's keys together stays possible.

    /// <summary>The steps one event took, oldest first.</summary>
    public static string DeliverySteps(string eventId) => "dl:{" + eventId + "}";

    /// <summary>The events that carried one 1:1 message, by IM's <c>MsgKey</c>.</summary>
    public static string DeliveriesByMsgKey(string msgKey) => "dl:c2c:" + msgKey;

    /// <summary>The events that carried one group message, by group and <c>MsgSeq</c> (the length as in <see cref="LedgerByGroupSeq"/>).</summary>
    public static string DeliveriesByGroupSeq(string groupId, long msgSeq)
        => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"dl:grp:{msgSeq}:{groupId.Length}:{groupId}");

    /// <summary>The events that carried one message, by the legacy side's message id.</summary>
    public static string DeliveriesByLegacyId(string legacyMessageId) => "dl:lg:" + legacyMessageId;

    /// <summary>A direction paused by the admin API on every replica: <c>1</c> paused, <c>0</c> resumed; absent, <c>Sync:Paused</c> rules.</summary>
    public static string DirectionPaused(RelayDirection direction) => "admin:paused:" + direction.Name;

    // Gap repair. A group's sequence state is one hash (every operation on it touches that key alone); the indexes are
    // sorted sets written next to it, never in the same script, so each may live in any Redis Cluster slot.

    /// <summary>One group's (or topic's) sequence state: the highest <c>MsgSeq</c> seen and its open holes.</summary>
    public static string GroupSequence(string groupRef) => "repair:seq:{" + groupRef + "}";

    /// <summary>
    /// One group's state as last relayed (members, profile fields), which the group state repair compares with IM's.
    /// Per group, not per topic: a community's members and profile are its own.
    /// </summary>
    public static string GroupBaseline(string groupRef) => "repair:base:{" + groupRef + "}";

    /// <summary>Groups by the time of their latest message seen (Unix ms): those the tail check asks IM about.</summary>
    public const string ActiveGroups = "repair:groups:active";

    /// <summary>Groups with open holes, by the time their oldest unhandled hole was found (Unix ms).</summary>
    public const string GroupsWithHoles = "repair:groups:holes";

    /// <summary>Groups whose members and profile wait to be compared with IM's (a group tip was found), by when they were filed.</summary>
    public const string GroupsWithStateDue = "repair:groups:state";

    /// <summary>1:1 conversations by the time of their latest message seen (Unix ms): what a 1:1 window repair reads.</summary>
    public const string ActiveConversations = "repair:c2c:active";

    /// <summary>Held by the replica repairing one group, so only one does.</summary>
    public static string GroupRepairLock(string groupRef) => "repair:lock:{" + groupRef + "}";

    /// <summary>Held by the replica that runs this interval's tail check, so one does per interval.</summary>
    public const string TailCheckLock = "repair:lock:tail";

    // Parking: one conversation's keys share the hash tag {direction:conversation}, so a Redis Cluster keeps them in one
    // slot; the due index is a key of its own, written next to them, never in the same script.

    /// <summary>A parked conversation's events, in order: the failing one first, those that came after it behind it.</summary>
    public static string ParkedEvents(RelayDirection direction, string conversation) => "park:list:" + ParkTag(direction, conversation);

    /// <summary>Why and since when a conversation is parked, and its head event's failed tries.</summary>
    public static string ParkedDetails(RelayDirection direction, string conversation) => "park:meta:" + ParkTag(direction, conversation);

    /// <summary>Held by the replica retrying one parked conversation, so only one does.</summary>
    public static string ParkLock(RelayDirection direction, string conversation) => "park:lock:" + ParkTag(direction, conversation);

    /// <summary>A direction's parked conversations, by when their next try is due (Unix ms).</summary>
    public static string ParkedDue(RelayDirection direction) => "park:due:" + direction.Name;

    private static string ParkTag(RelayDirection direction, string conversation) => "{" + direction.Name + ":" + conversation + "}";

    /// <summary>A faulted event, whole, with why and when it faulted: kept until an operator replays or discards it.</summary>
    public static string Fault(RelayDirection direction, string eventId) => "fault:" + direction.Name + ":" + eventId;

    /// <summary>A direction's faulted events by when they faulted first (Unix ms): what the admin API lists.</summary>
    public static string Faults(RelayDirection direction) => "faults:" + direction.Name;

    // Redis hashes what lies between the first '{' and the next '}'. A conversation starts with its kind ("c2c:",
    // "group:", "user:"), so that is never empty, and a brace in an id only shortens it alike for every key of the
    // conversation; the key prefix must hold no brace (validated).
    private static string ConversationTag(string conversation) => "{" + conversation + "}";
}
