using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Im;

namespace SyncGateway.Import.Phases;

internal sealed record GroupLine(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Type")] string Type,
    [property: JsonPropertyName("Name")] string Name,
    [property: JsonPropertyName("CreateTime")] long CreateTime,
    [property: JsonPropertyName("Owner_Account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Owner,
    [property: JsonPropertyName("Introduction"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Introduction,
    [property: JsonPropertyName("Notification"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Notification,
    [property: JsonPropertyName("FaceUrl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FaceUrl,
    [property: JsonPropertyName("MaxMemberCount"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MaxMemberCount,
    [property: JsonPropertyName("ApplyJoinOption"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ApplyJoinOption,
    [property: JsonPropertyName("AppDefinedData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ImKeyValue>? CustomFields);

/// <summary><c>groups.jsonl</c>: one <c>import_group</c> per group, with its original creation time.</summary>
internal sealed class GroupsPhase : ImportPhase<GroupLine>
{
    private const int MaxGroupIdBytes = 48;
    private const int MaxNameBytes = 30;

    // import_group refuses AVChatRoom (10007).
    private static readonly HashSet<string> Types = ["Public", "Private", "ChatRoom", "Community"];

    public GroupsPhase(ImportContext context)
        : base(context)
        => Routes =
        [
            new BatchRoute<GroupLine>
            {
                Api = ImApi.ImportGroup,
                MaxItems = 1,
                Body = items => items[0],
            },
        ];

    public override string Name => ImportPhases.Groups;

    public override IReadOnlyList<BatchRoute<GroupLine>> Routes { get; }

    public override GroupLine Parse(JsonElement line)
    {
        var groupId = LineFields.RequiredString(line, "groupId");
        if (Encoding.UTF8.GetByteCount(groupId) > MaxGroupIdBytes || groupId.Any(c => c is < ' ' or > '~'))
        {
            throw new ImportInputException($"field \"groupId\" must be printable ASCII of at most {MaxGroupIdBytes} bytes");
        }
        var type = LineFields.RequiredString(line, "type");
        if (!Types.Contains(type))
        {
            throw new ImportInputException($"field \"type\" must be one of {string.Join(", ", Types)} (import_group does not take \"{type}\")");
        }
        if (groupId.StartsWith("@TGS#", StringComparison.Ordinal) != (type == "Community"))
        {
            throw new ImportInputException("field \"groupId\" must start with @TGS#_ for Community groups and must not start with @TGS# otherwise");
        }
        var name = LineFields.RequiredString(line, "name");
        if (Encoding.UTF8.GetByteCount(name) > MaxNameBytes)
        {
            throw new ImportInputException($"field \"name\" is longer than IM's {MaxNameBytes} bytes");
        }
        return new GroupLine(
            groupId,
            type,
            name,
            RequirePast(line, "createTime"),
            LineFields.OptionalString(line, "owner"),
            LineFields.OptionalString(line, "introduction"),
            LineFields.OptionalString(line, "notification"),
            LineFields.OptionalString(line, "faceUrl"),
            LineFields.OptionalInteger(line, "maxMemberCount", 1),
            LineFields.OptionalString(line, "applyJoinOption"),
            ParseCustomFields(line));
    }

    private static List<ImKeyValue>? ParseCustomFields(JsonElement line)
    {
        if (LineFields.OptionalProperty(line, "customFields", JsonValueKind.Array) is not { } fields)
        {
            return null;
        }
        return fields.EnumerateArray()
            .Select(field => field.ValueKind == JsonValueKind.Object
                ? new ImKeyValue(LineFields.RequiredString(field, "key"), LineFields.OptionalString(field, "value") ?? "")
                : throw new ImportInputException("field \"customFields\" must hold {\"key\",\"value\"} objects"))
            .ToList();
    }
}
