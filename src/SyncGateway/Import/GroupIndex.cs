using System.Text.Json;

namespace SyncGateway.Import;

/// <summary>
/// Creation time and type of each group in <c>groups.jsonl</c>, read before the phases start: member join times and
/// message send times must come after the group's creation. Memory grows with the number of groups
/// only, not with members or messages.
/// </summary>
internal sealed class GroupIndex
{
    private readonly Dictionary<string, GroupFacts> _groups = new(StringComparer.Ordinal);

    public static GroupIndex Empty { get; } = new();

    public int Count => _groups.Count;

    public GroupFacts? Find(string groupId) => _groups.TryGetValue(groupId, out var facts) ? facts : null;

    public void Add(string groupId, GroupFacts facts) => _groups[groupId] = facts;

    /// <summary>Reads the groups file; lines that do not parse are skipped here and reported by the groups phase.</summary>
    public static async Task<GroupIndex> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var index = new GroupIndex();
        if (!File.Exists(path))
        {
            return index;
        }
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken))
        {
            try
            {
                using var document = JsonDocument.Parse(line.Text);
                var root = LineFields.RequireObject(document.RootElement);
                index.Add(
                    LineFields.RequiredString(root, "groupId"),
                    new GroupFacts(LineFields.RequiredTime(root, "createTime"), LineFields.OptionalString(root, "type")));
            }
            catch (Exception e) when (e is JsonException or ImportInputException)
            {
            }
        }
        return index;
    }
}

internal sealed record GroupFacts(long CreateTime, string? Type)
{
    /// <summary>The earliest time IM accepts for a member's join or a message: strictly after creation.</summary>
    public long NotBefore => CreateTime + 1;
}
