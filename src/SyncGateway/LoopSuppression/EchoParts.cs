using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SyncGateway.Contracts;

namespace SyncGateway.LoopSuppression;

/// <summary>
/// The one place that knows origin-tag key shapes. An event splits into parts (one per message, member or changed
/// field), each with a key; a tag suppresses exactly one echo of its part. Because IM events and legacy deltas share
/// one data model, the same function gives the key of the write we make and of the echo it causes.
/// <list type="bullet">
/// <item><c>im:…</c> keys: IM callbacks caused by our IM REST writes (IM calls back for REST sends too, unless told not to).</item>
/// <item><c>lg:…</c> keys: legacy deltas caused by our relays, by content fingerprint; <c>lg:origin:{id}</c> by the
/// <c>syncorigin</c> attribute.</item>
/// </list>
/// </summary>
internal static class EchoParts
{
    public static IReadOnlyList<string> ImKeys(object data) => data switch
    {
        C2CMessageData d => [$"im:c2c:{d.From}:{d.To}:{d.MsgRandom}"],
        GroupMessageData d => [$"im:grpmsg:{d.GroupId}:{d.Random}"],
        GroupCreatedData d => [$"im:grp:create:{d.GroupId}"],
        GroupDismissedData d => [$"im:grp:destroy:{d.GroupId}"],
        GroupProfileChangedData d => [.. ProfileFields(d).Select(f => $"im:grp:info:{d.GroupId}:{f.Field}:{Hash(f.Value)}")],
        GroupMembersJoinedData d => [.. d.Members.Select(m => $"im:grp:join:{d.GroupId}:{m}")],
        GroupMembersLeftData d => [.. d.Members.Select(m => $"im:grp:exit:{d.GroupId}:{m}")],
        _ => throw new ArgumentException($"no echo parts for {data.GetType().Name}", nameof(data)),
    };

    public static IReadOnlyList<string> LegacyKeys(object data) => data switch
    {
        C2CMessageData d => [$"lg:c2c:{Hash(d.From, d.To, Normalise(d.Body))}"],
        GroupMessageData d => [$"lg:grpmsg:{Hash(d.GroupId, d.From, Normalise(d.Body))}"],
        GroupCreatedData d => [$"lg:grp:create:{d.GroupId}"],
        GroupDismissedData d => [$"lg:grp:destroy:{d.GroupId}"],
        GroupProfileChangedData d => [.. ProfileFields(d).Select(f => $"lg:grp:info:{d.GroupId}:{f.Field}:{Hash(f.Value)}")],
        GroupMembersJoinedData d => [.. d.Members.Select(m => $"lg:grp:join:{d.GroupId}:{m}")],
        GroupMembersLeftData d => [.. d.Members.Select(m => $"lg:grp:exit:{d.GroupId}:{m}")],
        _ => throw new ArgumentException($"no echo parts for {data.GetType().Name}", nameof(data)),
    };

    public static string LegacyOriginKey(string relayedEventId) => $"lg:origin:{relayedEventId}";

    /// <summary>
    /// What is left of <paramref name="data"/> once the parts flagged in <paramref name="suppressed"/> are removed;
    /// null when nothing is left (the whole event was an echo).
    /// </summary>
    public static T? Without<T>(T data, IReadOnlyList<bool> suppressed) where T : class
    {
        if (suppressed.Count == 0 || suppressed.All(s => !s))
        {
            return data;
        }
        if (suppressed.All(s => s))
        {
            return null;
        }
        object? rest = data switch
        {
            GroupMembersJoinedData d => d with { Members = Keep(d.Members, suppressed) },
            GroupMembersLeftData d => d with { Members = Keep(d.Members, suppressed) },
            GroupProfileChangedData d => WithoutFields(d, suppressed),
            _ => null,
        };
        return (T?)rest;
    }

    private static List<string> Keep(IReadOnlyList<string> members, IReadOnlyList<bool> suppressed)
        => [.. members.Where((_, i) => !suppressed[i])];

    private static GroupProfileChangedData WithoutFields(GroupProfileChangedData d, IReadOnlyList<bool> suppressed)
    {
        var drop = ProfileFields(d).Where((_, i) => suppressed[i]).Select(f => f.Field).ToHashSet();
        return d with
        {
            Name = drop.Contains("name") ? null : d.Name,
            Introduction = drop.Contains("introduction") ? null : d.Introduction,
            Notification = drop.Contains("notification") ? null : d.Notification,
            FaceUrl = drop.Contains("faceUrl") ? null : d.FaceUrl,
            CustomFields = d.CustomFields?.Where(c => !drop.Contains("custom." + c.Key)).ToList(),
        };
    }

    /// <summary>The changed fields of a profile change, in a fixed order (one echo part each).</summary>
    public static IEnumerable<(string Field, string Value)> ProfileFields(GroupProfileChangedData d)
    {
        if (d.Name is not null) yield return ("name", d.Name);
        if (d.Introduction is not null) yield return ("introduction", d.Introduction);
        if (d.Notification is not null) yield return ("notification", d.Notification);
        if (d.FaceUrl is not null) yield return ("faceUrl", d.FaceUrl);
        foreach (var field in d.CustomFields ?? [])
        {
            yield return ("custom." + field.Key, field.Value);
        }
    }

    /// <summary>
    /// A body's content for fingerprints: element types and contents with object members in ordinal order and
    /// text trimmed, so a legacy system that re-serialises the body still matches.
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

    private static string Hash(params ReadOnlySpan<string> parts)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts.ToArray()))).AsSpan(0, 16));
}
