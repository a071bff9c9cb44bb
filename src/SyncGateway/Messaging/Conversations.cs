namespace SyncGateway.Messaging;

/// <summary>CloudEvents subjects: the conversation key both directions share, and the per-conversation ordering key.</summary>
internal static class Conversations
{
    /// <summary><c>c2c:{a}:{b}</c> with the two ids in ordinal ascending order, so A→B and B→A share it.</summary>
    public static string C2C(string userA, string userB)
        => string.CompareOrdinal(userA, userB) <= 0 ? $"c2c:{userA}:{userB}" : $"c2c:{userB}:{userA}";

    public static string Group(string groupId) => $"group:{groupId}";

    /// <summary>Events about one user (an account, a profile): <c>user:{id}</c>.</summary>
    public static string User(string userId) => $"user:{userId}";

    /// <summary>
    /// Why a conversation key cannot travel, or null. It is the CloudEvents <c>subject</c> towards legacy, where
    /// control characters are not allowed; IM's own account and group ids never contain them.
    /// </summary>
    public static string? Problem(string conversation)
        => conversation.AsSpan().IndexOfAnyInRange('\u0000', '\u001f') >= 0 || conversation.AsSpan().IndexOfAnyInRange('\u007f', '\u009f') >= 0
            ? "has an account or group id with a control character (U+0000 to U+001F or U+007F to U+009F)"
            : null;
}
