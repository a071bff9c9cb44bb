using System.Text.Json;
using System.Text.Json.Serialization;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace SyncGateway.ToLegacy;

/// <summary>The CloudEvents 1.0 JSON format of the legacy contract, both directions (docs/legacy-contract.md).</summary>
internal static class CloudEventFormat
{
    /// <summary>camelCase data, nulls left out; element <c>msgContent</c> stays verbatim (it is a JsonElement).</summary>
    public static readonly JsonSerializerOptions DataJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>W3C trace context, CloudEvents distributed-tracing extension.</summary>
    public static readonly CloudEventAttribute TraceParent = CloudEventAttribute.CreateExtension("traceparent", CloudEventAttributeType.String);

    /// <summary>W3C trace state, CloudEvents distributed-tracing extension.</summary>
    public static readonly CloudEventAttribute TraceState = CloudEventAttribute.CreateExtension("tracestate", CloudEventAttributeType.String);

    /// <summary>Inbound only: the id of the outbound event a legacy delta echoes.</summary>
    public static readonly CloudEventAttribute SyncOrigin = CloudEventAttribute.CreateExtension("syncorigin", CloudEventAttributeType.String);

    /// <summary>Outbound only: true on an event the gap repair rebuilt from IM's history (its callback never came).</summary>
    public static readonly CloudEventAttribute SyncRepaired = CloudEventAttribute.CreateExtension("syncrepaired", CloudEventAttributeType.Boolean);

    /// <summary>Every extension attribute of the contract, declared to the SDK when an event is built or decoded.</summary>
    public static readonly IReadOnlyList<CloudEventAttribute> Extensions = [TraceParent, TraceState, SyncOrigin, SyncRepaired];

    /// <summary>Encodes data with <see cref="DataJson"/>; stateless, so one instance serves every request.</summary>
    public static readonly JsonEventFormatter Formatter = new(DataJson, default);
}
