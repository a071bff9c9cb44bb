using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Im;

namespace SyncGateway.Import.Phases;

internal sealed record FriendLine(
    [property: JsonIgnore] string From,
    [property: JsonPropertyName("To_Account")] string To,
    [property: JsonPropertyName("AddSource")] string AddSource,
    [property: JsonPropertyName("Remark"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Remark,
    [property: JsonPropertyName("RemarkTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? RemarkTime,
    [property: JsonPropertyName("GroupName"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? GroupNames,
    [property: JsonPropertyName("AddWording"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AddWording,
    [property: JsonPropertyName("AddTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? AddTime,
    [property: JsonPropertyName("CustomItem"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<FriendCustomItem>? CustomItems);

internal sealed record FriendCustomItem(
    [property: JsonPropertyName("Tag")] string Tag,
    [property: JsonPropertyName("Value")] JsonElement Value);

/// <summary>
/// <c>friends.jsonl</c>: one-way relations, batched per owner (<c>From_Account</c>) through <c>friend_import</c>.
/// One owner's calls run one after another: concurrent writes to one friend list fail with 30008.
/// </summary>
internal sealed class FriendsPhase : ImportPhase<FriendLine>
{
    public FriendsPhase(ImportContext context)
        : base(context)
        => Routes =
        [
            new BatchRoute<FriendLine>
            {
                Api = ImApi.FriendImport,
                MaxItems = Options.FriendBatchSize,
                Key = item => item.From,
                Body = items => new FriendImportRequest(items[0].From, items),
                Failures = FailedFriends,
            },
        ];

    public override string Name => ImportPhases.Friends;

    public override IReadOnlyList<BatchRoute<FriendLine>> Routes { get; }

    public override FriendLine Parse(JsonElement line)
    {
        var addSource = LineFields.OptionalString(line, "addSource") ?? Options.DefaultAddSource;
        if (!addSource.StartsWith("AddSource_Type_", StringComparison.Ordinal))
        {
            throw new ImportInputException("field \"addSource\" must start with AddSource_Type_");
        }
        return new FriendLine(
            RequiredAccount(line, "from"),
            RequiredAccount(line, "to"),
            addSource,
            LineFields.OptionalString(line, "remark"),
            LineFields.OptionalTime(line, "remarkTime"),
            LineFields.OptionalStringArray(line, "groupNames"),
            LineFields.OptionalString(line, "addWording"),
            LineFields.OptionalTime(line, "addTime"),
            ParseCustomItems(line));
    }

    private static List<FriendCustomItem>? ParseCustomItems(JsonElement line)
    {
        if (LineFields.OptionalProperty(line, "customItems", JsonValueKind.Object) is not { } custom)
        {
            return null;
        }
        return custom.EnumerateObject()
            .Select(field => field.Name.StartsWith("Tag_SNS_Custom_", StringComparison.Ordinal)
                ? new FriendCustomItem(field.Name, field.Value.Clone())
                : throw new ImportInputException($"custom item \"{field.Name}\" must start with Tag_SNS_Custom_"))
            .ToList();
    }

    private static IEnumerable<ItemFailure> FailedFriends(JsonElement response, IReadOnlyList<FriendLine> items)
    {
        if (!response.TryGetProperty("ResultItem", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        var matched = new bool[items.Count];
        foreach (var result in results.EnumerateArray())
        {
            var code = result.TryGetProperty("ResultCode", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetInt32() : 0;
            if (code == 0)
            {
                continue;
            }
            var to = result.TryGetProperty("To_Account", out var t) ? t.GetString() : null;
            var index = Enumerable.Range(0, items.Count).FirstOrDefault(i => !matched[i] && items[i].To == to, -1);
            if (index < 0)
            {
                continue;
            }
            matched[index] = true;
            var info = result.TryGetProperty("ResultInfo", out var i) ? i.GetString() ?? "" : "";
            yield return new ItemFailure(index, code, info);
        }
    }

    private sealed record FriendImportRequest(
        [property: JsonPropertyName("From_Account")] string FromAccount,
        [property: JsonPropertyName("AddFriendItem")] IReadOnlyList<FriendLine> AddFriendItem);
}
