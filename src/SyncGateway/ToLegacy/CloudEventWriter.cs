using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Contracts;

namespace SyncGateway.ToLegacy;

/// <summary>Writes one event as a CloudEvents 1.0 structured JSON document (docs/legacy-contract.md).</summary>
internal static class CloudEventWriter
{
    public const string ContentType = "application/cloudevents+json";

    /// <summary>camelCase data, nulls left out; element <c>msgContent</c> stays verbatim (it is a JsonElement).</summary>
    public static readonly JsonSerializerOptions DataJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static byte[] Write<TData>(EventMeta meta, TData data, string? traceParent, string? traceState)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("specversion", "1.0");
            writer.WriteString("id", meta.Id);
            writer.WriteString("source", meta.Source);
            writer.WriteString("type", meta.Type);
            writer.WriteString("subject", meta.Subject);
            writer.WriteString("time", meta.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            writer.WriteString("datacontenttype", "application/json");
            if (traceParent is not null)
            {
                writer.WriteString("traceparent", traceParent);
            }
            if (!string.IsNullOrEmpty(traceState))
            {
                writer.WriteString("tracestate", traceState);
            }
            writer.WritePropertyName("data");
            JsonSerializer.Serialize(writer, data, DataJson);
            writer.WriteEndObject();
        }
        return stream.ToArray();
    }
}
