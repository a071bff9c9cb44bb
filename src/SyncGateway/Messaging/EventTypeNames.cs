using SyncGateway.Contracts;

namespace SyncGateway.Messaging;

/// <summary>Bus message type → CloudEvents type.</summary>
internal static class EventTypeNames
{
    public static readonly IReadOnlyDictionary<Type, string> All = new Dictionary<Type, string>
    {
        [typeof(ImC2CMessageSent)] = EventTypes.ImC2CMessageSent,
        [typeof(ImGroupCreated)] = EventTypes.ImGroupCreated,
        [typeof(ImGroupDismissed)] = EventTypes.ImGroupDismissed,
        [typeof(ImGroupProfileChanged)] = EventTypes.ImGroupProfileChanged,
        [typeof(ImGroupMembersJoined)] = EventTypes.ImGroupMembersJoined,
        [typeof(ImGroupMembersLeft)] = EventTypes.ImGroupMembersLeft,
        [typeof(ImGroupMessageSent)] = EventTypes.ImGroupMessageSent,
        [typeof(LegacyC2CMessageSent)] = EventTypes.LegacyC2CMessageSent,
        [typeof(LegacyGroupCreated)] = EventTypes.LegacyGroupCreated,
        [typeof(LegacyGroupDismissed)] = EventTypes.LegacyGroupDismissed,
        [typeof(LegacyGroupProfileChanged)] = EventTypes.LegacyGroupProfileChanged,
        [typeof(LegacyGroupMembersJoined)] = EventTypes.LegacyGroupMembersJoined,
        [typeof(LegacyGroupMembersLeft)] = EventTypes.LegacyGroupMembersLeft,
        [typeof(LegacyGroupMessageSent)] = EventTypes.LegacyGroupMessageSent,
    };

}
