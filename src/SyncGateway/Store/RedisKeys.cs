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

    /// <summary>Guards the origin tags written for one event, so a retried write adds none.</summary>
    public static string TagsWritten(RelayDirection causedBy, string eventId)
        => (causedBy == RelayDirection.ImToLegacy ? "tagged:im:" : "tagged:lg:") + eventId;

    /// <summary>Remembers which parts of one arriving event were taken as echoes, so a redelivery gets the same answer.</summary>
    public static string EchoDecision(RelayDirection arriving, string eventId)
        => (arriving == RelayDirection.ImToLegacy ? "echo:im:" : "echo:lg:") + eventId;

    /// <summary>An origin tag: one expected IM callback caused by our IM write.</summary>
    public static string ImEcho(string part) => "im:" + part;

    /// <summary>An origin tag: one expected legacy delta caused by our relay to legacy.</summary>
    public static string LegacyEcho(string part) => "lg:" + part;

    /// <summary>An origin tag: a legacy delta naming our relayed event in its <c>syncorigin</c> attribute.</summary>
    public static string LegacyOrigin(string relayedEventId) => "lg:origin:" + relayedEventId;
}
