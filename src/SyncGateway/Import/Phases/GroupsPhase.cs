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

/// <summary>
/// <c>groups.jsonl</c>: one <c>import_group</c> per group, with its original creation time. <c>import_group</c> is not
/// idempotent: when a call went through but its answer was lost, the retry is answered 10021 (group id in use). Such a
/// group counts as imported when <c>get_group_info</c> shows it with the line's type, name, owner and creation time.
/// </summary>
internal sealed class GroupsPhase : ImportPhase<GroupLine>
{
    private const int MaxGroupIdBytes = 48;
    private const int MaxNameBytes = 30;
    private const int GroupIdInUse = 10021;

    // The group's fields that show it is the one this line imported; its creation time comes from the line.
    private static readonly string[] IdentityFields = ["Type", "Name", "Owner_Account", "CreateTime"];

    // IM's newer names for two group types (its pages use both).
    private static readonly Dictionary<string, string> TypeAliases = new(StringComparer.Ordinal) { ["Work"] = "Private", ["Meeting"] = "ChatRoom" };

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
                Refused = ConfirmOursAsync,
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
            OptionalAccount(line, "owner"),
            LineFields.OptionalString(line, "introduction"),
            LineFields.OptionalString(line, "notification"),
            LineFields.OptionalString(line, "faceUrl"),
            LineFields.OptionalInteger(line, "maxMemberCount", 1),
            LineFields.OptionalString(line, "applyJoinOption"),
            ParseCustomFields(line));
    }

    private static async Task<IEnumerable<ItemFailure>> ConfirmOursAsync(Refusal<GroupLine> refusal)
    {
        var error = refusal.Error;
        if (error.ErrorCode != GroupIdInUse)
        {
            return [new ItemFailure(0, error.ErrorCode, error.ErrorInfo)];
        }
        var line = refusal.Items[0];
        JsonElement answer;
        try
        {
            answer = await refusal.Call(ImApi.GetGroupInfo, new GetGroupInfoRequest([line.GroupId], new GroupInfoFilter(IdentityFields)));
        }
        catch (ImPermanentException e) when (!ImErrorClassification.Classify(e.ErrorCode).CallerRefused)
        {
            return [new ItemFailure(0, error.ErrorCode, $"{error.ErrorInfo}; get_group_info failed: ErrorCode {e.ErrorCode}: {e.ErrorInfo}")];
        }
        var differences = Differences(line, answer);
        return differences is null
            ? []
            : [new ItemFailure(0, error.ErrorCode, $"{error.ErrorInfo}; the group IM has is not this line's: {differences}")];
    }

    // Null when IM's group matches the line. get_group_info answers GroupInfo[], each entry with its own ErrorCode.
    private static string? Differences(GroupLine line, JsonElement answer)
    {
        var info = answer.TryGetProperty("GroupInfo", out var infos) && infos.ValueKind == JsonValueKind.Array
            ? infos.EnumerateArray().FirstOrDefault(entry => Text(entry, "GroupId") == line.GroupId)
            : default;
        if (info.ValueKind != JsonValueKind.Object)
        {
            return "get_group_info did not answer for it";
        }
        if (info.TryGetProperty("ErrorCode", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() != 0)
        {
            return $"get_group_info answered ErrorCode {code.GetInt32()}: {Text(info, "ErrorInfo")}";
        }
        var type = Text(info, "Type");
        var createTime = info.TryGetProperty("CreateTime", out var time) && time.ValueKind == JsonValueKind.Number ? time.GetInt64() : (long?)null;
        var differences = new List<string>();
        var sameType = type is not null && TypeAliases.TryGetValue(type, out var alias) ? alias == line.Type : type == line.Type;
        if (!sameType)
        {
            differences.Add($"type {type} (line: {line.Type})");
        }
        if (Text(info, "Name") != line.Name)
        {
            differences.Add($"name \"{Text(info, "Name")}\" (line: \"{line.Name}\")");
        }
        if ((Text(info, "Owner_Account") ?? "") != (line.Owner ?? ""))
        {
            differences.Add($"owner \"{Text(info, "Owner_Account")}\" (line: \"{line.Owner}\")");
        }
        if (createTime != line.CreateTime)
        {
            differences.Add($"createTime {createTime} (line: {line.CreateTime})");
        }
        return differences.Count == 0 ? null : string.Join(", ", differences);
    }

    private static string? Text(JsonElement element, string name)
        => element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

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
