using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace SyncGateway.Hosting;

/// <summary>One thing wrong with a request body, at a JSON path such as <c>$[1].data.body[0].msgContent.Text</c>.</summary>
internal sealed record JsonInputProblem(string Path, string Message);

/// <summary>
/// The rules every JSON body meets before an intake reads it, so that whatever it accepts can also be serialized onto
/// the bus and sent on: not empty, valid UTF-8, no escaped lone UTF-16 surrogate in any string, at most
/// <see cref="MaxDepth"/> levels of nesting. The bus serializer refuses what breaks the last two, and IM
/// and legacy systems treat broken text differently, so the gateway refuses it at the edge with a 400 instead of
/// failing later.
/// </summary>
internal static class JsonInput
{
    /// <summary>
    /// Deepest nesting a body may have. A callback's content sits four levels down and travels about six levels deep
    /// on the bus, whose serializer stops at 64: 32 leaves every accepted body far inside that.
    /// </summary>
    public const int MaxDepth = 32;

    public static JsonInputProblem? Check(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return new("$", "the body is empty");
        }
        if (!Utf8.IsValid(body))
        {
            return new("$", "the body is not valid UTF-8");
        }
        // The reader's own limit only guards it; the rule is checked below, so it can name the place.
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 1024 });
        var path = new JsonPathTracker();
        try
        {
            while (reader.Read())
            {
                path.Advance(ref reader);
                if ((reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) && reader.CurrentDepth >= MaxDepth)
                {
                    return new(path.ToString(), $"is nested deeper than {MaxDepth} levels");
                }
                if ((reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName) && reader.ValueIsEscaped && !IsWellFormedText(ref reader))
                {
                    return new(path.ToString(), "contains an unpaired UTF-16 surrogate (an escaped \\uD800-\\uDFFF without its pair)");
                }
            }
        }
        catch (JsonException ex)
        {
            // The reader's message says where (line and byte); a path into a broken document would only guess.
            return new("$", $"is not valid JSON: {ex.Message}");
        }
        return null;
    }

    /// <summary>Reads a string without the exception <see cref="Utf8JsonReader.GetString"/> throws for broken text.</summary>
    public static string? TryGetString(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool IsWellFormedText(ref Utf8JsonReader reader)
    {
        try
        {
            reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Follows the reader through objects and arrays to name where it is.</summary>
    private sealed class JsonPathTracker
    {
        private readonly List<(bool IsArray, int Index, string? Property)> _frames = [];

        public void Advance(ref Utf8JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    _frames[^1] = (false, 0, IsWellFormedText(ref reader) ? reader.GetString() : "?");
                    return;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    _frames.RemoveAt(_frames.Count - 1);
                    return;
            }
            if (_frames.Count > 0 && _frames[^1].IsArray)
            {
                _frames[^1] = (true, _frames[^1].Index + 1, null);
            }
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                _frames.Add((false, 0, null));
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                _frames.Add((true, -1, null));
            }
        }

        public override string ToString()
        {
            var path = new StringBuilder("$");
            foreach (var (isArray, index, property) in _frames)
            {
                if (isArray && index >= 0)
                {
                    path.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
                }
                else if (!isArray && property is not null)
                {
                    path.Append('.').Append(property);
                }
            }
            return path.ToString();
        }
    }
}
