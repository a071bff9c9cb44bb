using System.Globalization;
using System.Text.Json.Nodes;

namespace SyncGateway.Fakes.Fuzz;

/// <summary>
/// Seeded mutations of valid JSON inputs: the classes of input a hostile or buggy client sends (wrong types, huge and
/// negative numbers, times past 9999, deep nesting, unicode edge cases including lone surrogates, missing and unknown
/// fields, empty, truncated and oversized bodies). The same seed gives the same inputs, so a failure replays.
/// </summary>
public sealed class InputMutator(int seed)
{
    private const string LoneSurrogatePlaceholder = "__syncgw_lone_surrogate__";

    private static readonly Func<InputMutator, JsonNode?>[] HostileValues =
    [
        _ => JsonValue.Create(""),
        _ => JsonValue.Create(long.MaxValue),
        _ => JsonValue.Create(-1),
        _ => JsonValue.Create(253402300800000),
        _ => JsonValue.Create(1e308),
        _ => JsonValue.Create(0.5),
        _ => JsonValue.Create(true),
        _ => null,
        _ => new JsonObject(),
        _ => new JsonArray(),
        _ => JsonValue.Create("12"),
        _ => JsonValue.Create(LoneSurrogatePlaceholder),
        _ => JsonValue.Create("\u0000\uFEFF\u202E😀 \u00e9"),
        m => JsonValue.Create(new string('x', m._random.Next(1, 20_000))),
        m => Nested(m._random.Next(20, 80)),
        _ => new JsonArray(JsonValue.Create(1), JsonValue.Create("two"), new JsonObject()),
    ];

    private readonly Random _random = new(seed);

    /// <summary>One mutation of <paramref name="json"/> (a JSON object or array).</summary>
    public string Mutate(string json)
    {
        switch (_random.Next(10))
        {
            case 0:
                return json[.._random.Next(json.Length)];
            case 1:
                return _random.Next(3) switch { 0 => "", 1 => "null", _ => "[]" };
            default:
                var root = JsonNode.Parse(json)!;
                var mutations = _random.Next(1, 4);
                for (var i = 0; i < mutations; i++)
                {
                    MutateOnce(root);
                }
                return root.ToJsonString().Replace($"\"{LoneSurrogatePlaceholder}\"", _random.Next(2) == 0 ? "\"\\ud800\"" : "\"a\\udfffb\"", StringComparison.Ordinal);
        }
    }

    private void MutateOnce(JsonNode root)
    {
        var containers = Containers(root).ToList();
        var container = containers[_random.Next(containers.Count)];
        switch (container)
        {
            case JsonObject obj when obj.Count > 0 && _random.Next(4) == 0:
                obj.Remove(obj.ElementAt(_random.Next(obj.Count)).Key);
                break;
            case JsonObject obj when _random.Next(5) == 0:
                obj["Unknown_" + _random.Next(1000).ToString(CultureInfo.InvariantCulture)] = Hostile();
                break;
            case JsonObject obj when obj.Count > 0:
                obj[obj.ElementAt(_random.Next(obj.Count)).Key] = Hostile();
                break;
            case JsonArray array when array.Count > 0 && _random.Next(3) == 0:
                array.Add(array[_random.Next(array.Count)]?.DeepClone());
                break;
            case JsonArray array when array.Count > 0:
                array[_random.Next(array.Count)] = Hostile();
                break;
        }
    }

    private JsonNode? Hostile() => HostileValues[_random.Next(HostileValues.Length)](this);

    private static IEnumerable<JsonNode> Containers(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>().Where(c => c is JsonObject or JsonArray))
        {
            foreach (var descendant in Containers(child))
            {
                yield return descendant;
            }
        }
    }

    private static JsonObject Nested(int levels)
    {
        var node = new JsonObject();
        for (var i = 1; i < levels; i++)
        {
            node = new JsonObject { ["n"] = node };
        }
        return node;
    }
}
