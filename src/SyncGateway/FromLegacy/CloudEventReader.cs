using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CloudNative.CloudEvents;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Hosting;
using SyncGateway.ToLegacy;

namespace SyncGateway.FromLegacy;

/// <summary>One problem with one event of an ingress request: which event, which field, what is wrong.</summary>
internal sealed record IngressError(int Index, string? Id, string Field, string Message);

/// <summary>
/// Reads legacy deltas (CloudEvents 1.0 structured JSON, one or a batch) into bus events. The <c>data</c> of each
/// <c>legacy.*</c> type has the shape of the matching <c>im.*</c> type (one data model for both directions).
/// </summary>
internal static partial class CloudEventReader
{
    public const string SingleContentType = "application/cloudevents+json";
    public const string BatchContentType = "application/cloudevents-batch+json";

    private static readonly string[] RequiredStrings = ["id", "source", "type"];

    /// <remarks>
    /// The body is parsed once and each event handed to the SDK on its own: its batch decoder stops at the first bad
    /// event without saying which, and the answer must name every bad event by its index.
    /// </remarks>
    public static (List<ISyncEvent> Events, List<IngressError> Errors) Read(ReadOnlyMemory<byte> body, bool batch, DateTimeOffset receivedAt)
    {
        var events = new List<ISyncEvent>();
        var errors = new List<IngressError>();
        if (JsonInput.Check(body.Span) is { } problem)
        {
            errors.Add(ErrorAt(problem, batch));
            return (events, errors);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            errors.Add(new IngressError(0, null, "$", $"body is not valid JSON: {ex.Message}"));
            return (events, errors);
        }
        using (document)
        {
            var root = document.RootElement;
            if (batch)
            {
                if (root.ValueKind != JsonValueKind.Array)
                {
                    errors.Add(new IngressError(0, null, "$", "a batch must be a JSON array of CloudEvents"));
                    return (events, errors);
                }
                var index = 0;
                var firstIndexOf = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var item in root.EnumerateArray())
                {
                    // One id names one event: a second event with it would be dropped as a duplicate, or applied twice.
                    if (item.ValueKind == JsonValueKind.Object && Text(item, "id") is { } id && !firstIndexOf.TryAdd(id, index))
                    {
                        errors.Add(new IngressError(index++, id, "id", $"repeats the id of event {firstIndexOf[id]} of this batch"));
                        continue;
                    }
                    ReadOne(item, index++, receivedAt, events, errors);
                }
            }
            else
            {
                ReadOne(root, 0, receivedAt, events, errors);
            }
        }
        return (events, errors);
    }

    private static void ReadOne(JsonElement e, int index, DateTimeOffset receivedAt, List<ISyncEvent> events, List<IngressError> errors)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new IngressError(index, null, "$", "an event must be a JSON object"));
            return;
        }
        var id = Text(e, "id");
        var before = errors.Count;
        void Fail(string field, string message) => errors.Add(new IngressError(index, id, field, message));

        if (Decode(e, errors, Fail) is not { } cloudEvent)
        {
            return;
        }
        // The SDK reads any scalar into a string extension: "syncorigin": false would become "false", and an echo.
        foreach (var extension in CloudEventFormat.Extensions)
        {
            if (e.TryGetProperty(extension.Name, out var value) && value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                Fail(extension.Name, "must be a JSON string");
            }
        }
        if (errors.Count > before)
        {
            return;
        }
        if (cloudEvent.Data is not JsonElement { ValueKind: JsonValueKind.Object } data)
        {
            Fail("data", "is required and must be a JSON object");
            return;
        }
        var type = cloudEvent.Type!;
        if (!EventCatalog.ByLegacyType.TryGetValue(type, out var declaration))
        {
            Fail("type", $"'{type}' is not a legacy event type this gateway accepts");
            return;
        }
        var meta = new EventMeta(cloudEvent.Id!, cloudEvent.Source!.OriginalString, type, "", cloudEvent.Time ?? receivedAt, receivedAt,
            (string?)cloudEvent[CloudEventFormat.TraceParent], (string?)cloudEvent[CloudEventFormat.TraceState],
            (string?)cloudEvent[CloudEventFormat.SyncOrigin]);
        try
        {
            if (declaration.ReadDelta(meta, data, new DeltaProblems(index, id, errors)) is { } evt)
            {
                events.Add(evt);
            }
        }
        catch (JsonException ex)
        {
            Fail("data" + (ex.Path is { Length: > 1 } path ? path[1..] : ""), $"has the wrong shape for {type}: {ex.Message}");
        }
    }

    /// <summary>
    /// The envelope, decoded and validated by the SDK; null when it refuses it. The SDK stops at the first problem and
    /// names it only in prose, so a refusal is answered with each missing required attribute by name, or else with the
    /// member the refusal is about.
    /// </summary>
    private static CloudEvent? Decode(JsonElement e, List<IngressError> errors, Action<string, string> fail)
    {
        try
        {
            return CloudEventFormat.Formatter.ConvertFromJsonElement(e, CloudEventFormat.Extensions);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            var before = errors.Count;
            if (Text(e, "specversion") != "1.0")
            {
                fail("specversion", "must be \"1.0\"");
            }
            foreach (var name in RequiredStrings)
            {
                if (string.IsNullOrEmpty(Text(e, name)))
                {
                    fail(name, "is required");
                }
            }
            if (errors.Count == before)
            {
                fail(RefusedField(e, ex), $"is not valid CloudEvents 1.0: {ex.Message}");
            }
            return null;
        }
    }

    /// <summary>
    /// The member the SDK refused. Its message names an attribute it could read; it names none when a value cannot be an
    /// attribute at all (object, array, a number beyond 32-bit integers) or <c>data_base64</c> is not base64.
    /// </summary>
    private static string RefusedField(JsonElement e, Exception refusal)
    {
        if (RefusedAttribute().Match(refusal.Message) is { Success: true } named)
        {
            return named.Groups["name"].Value;
        }
        foreach (var member in e.EnumerateObject())
        {
            var value = member.Value;
            if (member.Name is not ("data" or "data_base64")
                && (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array || (value.ValueKind == JsonValueKind.Number && !value.TryGetInt32(out _))))
            {
                return member.Name;
            }
        }
        return e.TryGetProperty("data_base64", out _) ? "data_base64" : "$";
    }

    // How the SDK's messages name an attribute: "Text for attribute 'time' is invalid", "Invalid character 'X' in attribute name 'legacyId'".
    [GeneratedRegex("attribute (?:name )?'(?<name>[^']*)'", RegexOptions.CultureInvariant)]
    private static partial Regex RefusedAttribute();

    /// <summary>A body-wide problem as an error of the event it lies in (<c>$[3].data.body</c> → event 3, <c>data.body</c>).</summary>
    private static IngressError ErrorAt(JsonInputProblem problem, bool batch)
    {
        var path = problem.Path;
        if (batch && path.StartsWith("$[", StringComparison.Ordinal) && path.IndexOf(']', StringComparison.Ordinal) is var close and > 2
            && int.TryParse(path.AsSpan(2, close - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            var rest = path[(close + 1)..].TrimStart('.');
            return new IngressError(index, null, rest.Length == 0 ? "$" : rest, problem.Message);
        }
        return new IngressError(0, null, !batch && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path, problem.Message);
    }

    private static string? Text(JsonElement e, string name)
        => e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
