using System.Text;
using System.Text.Json;

namespace SyncGateway.Import;

/// <summary>Reads the fields of one input line, throwing <see cref="ImportInputException"/> that names the field.</summary>
internal static class LineFields
{
    public const int MaxUserIdBytes = 32;

    public static JsonElement RequireObject(JsonElement root)
        => root.ValueKind == JsonValueKind.Object
            ? root
            : throw new ImportInputException($"a line must be a JSON object, not {Describe(root.ValueKind)}");

    public static string RequiredString(JsonElement line, string name)
        => OptionalString(line, name) is { Length: > 0 } value
            ? value
            : throw new ImportInputException($"missing required field \"{name}\"");

    public static string? OptionalString(JsonElement line, string name)
    {
        if (!line.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new ImportInputException($"field \"{name}\" must be a string, not {Describe(value.ValueKind)}");
    }

    public static string RequiredUserId(JsonElement line, string name)
    {
        var value = RequiredString(line, name);
        return Encoding.UTF8.GetByteCount(value) <= MaxUserIdBytes
            ? value
            : throw new ImportInputException($"field \"{name}\" is longer than IM's {MaxUserIdBytes}-byte UserID limit");
    }

    public static long RequiredInteger(JsonElement line, string name, long min = 0, long max = long.MaxValue)
        => OptionalInteger(line, name, min, max) ?? throw new ImportInputException($"missing required field \"{name}\"");

    public static long? OptionalInteger(JsonElement line, string name, long min = 0, long max = long.MaxValue)
    {
        if (!line.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            throw new ImportInputException($"field \"{name}\" must be an integer, not {Describe(value.ValueKind)}");
        }
        return number >= min && number <= max
            ? number
            : throw new ImportInputException($"field \"{name}\" must be between {min} and {max}, was {number}");
    }

    /// <summary>A Unix time in seconds; milliseconds are refused because IM's REST times are seconds.</summary>
    public static long RequiredTime(JsonElement line, string name)
        => OptionalTime(line, name) ?? throw new ImportInputException($"missing required field \"{name}\"");

    public static long? OptionalTime(JsonElement line, string name)
        => OptionalInteger(line, name, 1, uint.MaxValue) is { } seconds
            ? seconds
            : null;

    public static JsonElement? OptionalProperty(JsonElement line, string name, JsonValueKind kind)
    {
        if (!line.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == kind
            ? value
            : throw new ImportInputException($"field \"{name}\" must be {Describe(kind)}, not {Describe(value.ValueKind)}");
    }

    public static IReadOnlyList<string>? OptionalStringArray(JsonElement line, string name)
    {
        if (OptionalProperty(line, name, JsonValueKind.Array) is not { } array)
        {
            return null;
        }
        return array.EnumerateArray()
            .Select(item => item.ValueKind == JsonValueKind.String
                ? item.GetString()!
                : throw new ImportInputException($"field \"{name}\" must hold strings only"))
            .ToList();
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "empty",
    };
}
