namespace SyncGateway.Messaging;

/// <summary>CloudEvents subjects: the conversation key both directions share, and the per-conversation ordering key.</summary>
internal static class Conversations
{
    /// <summary><c>c2c:{a}:{b}</c> with the two ids in ordinal ascending order, so A→B and B→A share it.</summary>
    public static string C2C(string userA, string userB)
        => string.CompareOrdinal(userA, userB) <= 0 ? $"c2c:{userA}:{userB}" : $"c2c:{userB}:{userA}";

    public static string Group(string groupId) => $"group:{groupId}";
}
