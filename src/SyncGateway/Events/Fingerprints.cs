using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SyncGateway.Contracts;

namespace SyncGateway.Events;

/// <summary>Content fingerprints for echo parts: a legacy system that re-serialises what it received still matches.</summary>
internal static class Fingerprints
{
    /// <summary>A short hash of the parts (first 16 bytes of SHA-256, hex).</summary>
    public static string Hash(params ReadOnlySpan<string> parts)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts.ToArray()))).AsSpan(0, 16));

    /// <summary>
    /// A body's content: element types and contents with object members in ordinal order and text trimmed.
    /// </summary>
    public static string Normalise(IReadOnlyList<MessageElement> body)
    {
        var sb = new StringBuilder();
        foreach (var element in body)
        {
            sb.Append(element.MsgType).Append('\u001e');
            AppendCanonical(sb, element.MsgContent);
            sb.Append('\u001d');
        }
        return sb.ToString();
    }

    private static void AppendCanonical(StringBuilder sb, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    sb.Append(property.Name).Append(':');
                    AppendCanonical(sb, property.Value);
                    sb.Append(',');
                }
                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                foreach (var item in element.EnumerateArray())
                {
                    AppendCanonical(sb, item);
                    sb.Append(',');
                }
                sb.Append(']');
                break;
            case JsonValueKind.String:
                sb.Append('"').Append(element.GetString()!.Trim()).Append('"');
                break;
            default:
                sb.Append(element.GetRawText());
                break;
        }
    }
}
