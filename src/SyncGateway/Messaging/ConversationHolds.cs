using SyncGateway.Store;

namespace SyncGateway.Messaging;

/// <summary>
/// Conversations whose history the import is still writing. IM appends a group's history only after its newest
/// message and takes a conversation's imported 1:1 messages in time order, so a live write must not reach such a
/// conversation first: its legacy → IM events wait until the import releases it, then flow in order. The import holds
/// every conversation of its message files before it starts writing them and releases them when their phase is done;
/// a hold it never releases (an import abandoned half-way) expires after <c>Import:HoldHours</c>.
/// </summary>
internal sealed partial class ConversationHolds(IKeyValueStore store, TimeProvider time, ILogger<ConversationHolds> logger)
{
    // Writes per round trip batch when holding or releasing many conversations.
    private const int Chunk = 500;

    /// <summary>How often a waiting event looks whether its conversation was released.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    public Task HoldAsync(IReadOnlyCollection<string> conversations, TimeSpan ttl)
        => ForEachChunkAsync(conversations, conversation => store.SetAsync(RedisKeys.Hold(conversation), ttl));

    public Task ReleaseAsync(IReadOnlyCollection<string> conversations)
        => ForEachChunkAsync(conversations, conversation => store.DeleteAsync(RedisKeys.Hold(conversation)));

    public Task<bool> IsHeldAsync(string conversation) => store.ExistsAsync(RedisKeys.Hold(conversation));

    /// <summary>Returns once <paramref name="conversation"/> is not held; an event of it waits here, and its queue behind it.</summary>
    public async Task WaitWhileHeldAsync(string conversation, string eventType, string eventId, CancellationToken cancellationToken)
    {
        if (!await IsHeldAsync(conversation))
        {
            return;
        }
        LogHeld(logger, eventType, eventId, conversation);
        var since = time.GetTimestamp();
        do
        {
            await Task.Delay(PollInterval, time, cancellationToken);
        }
        while (await IsHeldAsync(conversation));
        var waited = time.GetElapsedTime(since).TotalSeconds;
        LogReleased(logger, eventType, eventId, conversation, waited);
    }

    private static async Task ForEachChunkAsync(IReadOnlyCollection<string> conversations, Func<string, Task> write)
    {
        foreach (var chunk in conversations.Chunk(Chunk))
        {
            await Task.WhenAll(chunk.Select(write));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId} waits: the import is still writing the history of {Conversation}")]
    private static partial void LogHeld(ILogger logger, string eventType, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId} goes on: the import released {Conversation} after {Seconds:F0} s")]
    private static partial void LogReleased(ILogger logger, string eventType, string cloudEventId, string conversation, double seconds);
}
