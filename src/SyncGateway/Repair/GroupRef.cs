using System.Globalization;

namespace SyncGateway.Repair;

/// <summary>
/// A group's message sequence: the group, or one topic of a topic-enabled community (each topic counts its own
/// <c>MsgSeq</c>). <see cref="Key"/> is its stored form; the group id's length keeps a colon in it from making two equal.
/// </summary>
internal sealed record GroupRef(string GroupId, string? TopicId = null)
{
    public string Key => string.Create(CultureInfo.InvariantCulture, $"{GroupId.Length}:{GroupId}:{TopicId}");

    public static GroupRef? Parse(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !int.TryParse(key.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var length)
            || colon + 1 + length + 1 > key.Length || key[colon + 1 + length] != ':')
        {
            return null;
        }
        var topic = key[(colon + 1 + length + 1)..];
        return new GroupRef(key.Substring(colon + 1, length), topic.Length == 0 ? null : topic);
    }

    public override string ToString() => TopicId is null ? GroupId : $"{GroupId} topic {TopicId}";
}

/// <summary>A 1:1 conversation, its two accounts in ordinal order (as its subject names them).</summary>
internal sealed record C2CPair(string A, string B)
{
    public static C2CPair Of(string x, string y) => string.CompareOrdinal(x, y) <= 0 ? new(x, y) : new(y, x);

    public string Key => string.Create(CultureInfo.InvariantCulture, $"{A.Length}:{A}:{B}");

    public static C2CPair? Parse(string key)
        => GroupRef.Parse(key) is { TopicId: { } b } parsed ? new C2CPair(parsed.GroupId, b) : null;

    public override string ToString() => $"{A} ↔ {B}";
}
