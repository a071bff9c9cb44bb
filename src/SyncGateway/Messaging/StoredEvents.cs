using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Events;

namespace SyncGateway.Messaging;

/// <summary>
/// An event kept in the store outside the broker (parked, faulted): its CloudEvents type, to find the bus message type
/// again, and the whole event, so a later version or another replica can relay it.
/// </summary>
internal static class StoredEvents
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Serialize(ISyncEvent evt)
        => JsonSerializer.Serialize(new StoredEvent(evt.Meta.Type, JsonSerializer.SerializeToElement(evt, evt.GetType(), Json)), Json);

    /// <summary>The event, or why it cannot be read (a type this version does not know, broken JSON).</summary>
    public static (ISyncEvent? Event, string? Problem) Deserialize(string raw)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<StoredEvent>(raw, Json) ?? throw new JsonException("the entry is null");
            if (!EventCatalog.MessageTypeOf.TryGetValue(entry.Type, out var messageType))
            {
                return (null, $"this version does not know the event type {entry.Type}");
            }
            return (entry.Event.Deserialize(messageType, Json) as ISyncEvent ?? throw new JsonException("the event is null"), null);
        }
        catch (JsonException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>The event's JSON as stored, for an operator to read; null when <paramref name="raw"/> is not an entry.</summary>
    public static JsonElement? EventJson(string raw)
    {
        try
        {
            return JsonSerializer.Deserialize<StoredEvent>(raw, Json)?.Event;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record StoredEvent(string Type, JsonElement Event);
}
