using System.Globalization;
using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Im;

namespace SyncGateway.FromIm;

/// <summary>
/// What an event declaration needs to turn one IM callback body into an event, and the checks the declarations
/// share. The body is IM's (an <c>Im</c> wire record); what is required is decided here, not by the record.
/// </summary>
internal sealed class CallbackContext(string source, DateTimeOffset receivedAt, bool relayUndeliveredC2CMessages)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
        PropertyNameCaseInsensitive = false,
    };

    /// <summary>Also relay 1:1 messages IM could not deliver (<c>Im:RelayUndeliveredC2CMessages</c>).</summary>
    public bool RelayUndeliveredC2CMessages => relayUndeliveredC2CMessages;

    public static T Read<T>(ReadOnlySpan<byte> body)
        => JsonSerializer.Deserialize<T>(body, Json) ?? throw new InvalidCallbackException("is JSON null");

    /// <summary>The envelope: its id from IM's natural key, never from the arrival, so a repeat is the same event.</summary>
    public EventMeta Meta(string type, string subject, DateTimeOffset time, params ReadOnlySpan<string?> naturalKey)
        => new(EventIds.For(naturalKey), source, type, subject, time, receivedAt);

    /// <summary><c>EventTime</c> (ms) when IM sends it, else <c>MsgTime</c> (s), else the arrival.</summary>
    public DateTimeOffset Time(long? eventTimeMs, long? msgTimeSeconds = null)
    {
        if (eventTimeMs > UnixTime.MaxMilliseconds)
        {
            throw new InvalidCallbackException($"has an EventTime past the year 9999 ({eventTimeMs} ms)");
        }
        if (msgTimeSeconds > UnixTime.MaxSeconds)
        {
            throw new InvalidCallbackException($"has a MsgTime past the year 9999 ({msgTimeSeconds} s)");
        }
        return eventTimeMs is > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(eventTimeMs.Value)
            : msgTimeSeconds is > 0 ? DateTimeOffset.FromUnixTimeSeconds(msgTimeSeconds.Value)
            : receivedAt;
    }

    public static string? Stamp(long? eventTime) => eventTime?.ToString(CultureInfo.InvariantCulture);

    public static bool? Flag(int? flag) => flag is null ? null : flag == 1;

    public static string Required(string? value, string field)
        => string.IsNullOrEmpty(value) ? throw new InvalidCallbackException($"has no {field}") : value;

    public static List<string> RequiredMembers(IReadOnlyList<ImMemberItem>? list, string field)
    {
        var members = Members(list);
        return members is { Count: > 0 } ? members : throw new InvalidCallbackException($"has no {field} members");
    }

    public static List<string>? Members(IReadOnlyList<ImMemberItem>? list)
        => list?.Select((m, i) => string.IsNullOrEmpty(m?.MemberAccount)
            ? throw new InvalidCallbackException($"has a member without Member_Account at index {i}")
            : m.MemberAccount).ToList();

    public static List<CustomField>? Fields(IReadOnlyList<ImKeyValueItem>? list)
        => list?.Where(f => f?.Key is not null).Select(f => new CustomField(f.Key!, f.Value ?? "")).ToList();

    public static List<MessageElement> Elements(IReadOnlyList<ImMsgBodyItem>? body)
    {
        if (body is null)
        {
            throw new InvalidCallbackException("has no MsgBody");
        }
        var elements = new List<MessageElement>(body.Count);
        for (var i = 0; i < body.Count; i++)
        {
            var item = body[i];
            if (string.IsNullOrEmpty(item?.MsgType))
            {
                throw new InvalidCallbackException($"has a MsgBody element without MsgType at index {i}");
            }
            if (item.MsgContent.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidCallbackException($"has a MsgBody element without a MsgContent object at index {i}");
            }
            elements.Add(new MessageElement(item.MsgType, item.MsgContent.Clone()));
        }
        return elements;
    }
}

/// <summary>A callback body that is not what its command documents; the message completes "{command} body …".</summary>
internal sealed class InvalidCallbackException(string message) : Exception(message);
