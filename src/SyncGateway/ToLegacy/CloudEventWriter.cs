using CloudNative.CloudEvents;
using SyncGateway.Contracts;

namespace SyncGateway.ToLegacy;

/// <summary>Writes one event as a CloudEvents 1.0 structured JSON document (docs/legacy-contract.md).</summary>
internal static class CloudEventWriter
{
    public const string ContentType = "application/cloudevents+json";
    private const string DataContentType = "application/json";

    /// <summary>The formatter serializes <paramref name="data"/> straight into the document, with <see cref="CloudEventFormat.DataJson"/>.</summary>
    public static byte[] Write<TData>(EventMeta meta, TData data, string? traceParent, string? traceState)
    {
        // Attributes are written in the order they are set: the order of the contract's examples.
        var cloudEvent = new CloudEvent(CloudEventFormat.Extensions)
        {
            Id = meta.Id,
            Source = new Uri(meta.Source, UriKind.RelativeOrAbsolute),
            Type = meta.Type,
            Subject = meta.Subject,
            Time = ToUtcMilliseconds(meta.Time),
            DataContentType = DataContentType,
            Data = data,
        };
        if (traceParent is not null)
        {
            cloudEvent[CloudEventFormat.TraceParent] = traceParent;
        }
        if (!string.IsNullOrEmpty(traceState))
        {
            cloudEvent[CloudEventFormat.TraceState] = traceState;
        }
        if (meta.Repaired == true)
        {
            cloudEvent[CloudEventFormat.SyncRepaired] = true;
        }
        return CloudEventFormat.Formatter.EncodeStructuredModeMessage(cloudEvent, out _).ToArray();
    }

    // The contract promises UTC with millisecond precision; the SDK writes as many fractional digits as the value has.
    private static DateTimeOffset ToUtcMilliseconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks;
        return new DateTimeOffset(ticks - ticks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
    }
}
