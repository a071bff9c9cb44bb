using Microsoft.Extensions.Options;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.LoopSuppression;

/// <summary>
/// Writes and consumes origin tags. Writing is once per source event (a retried write does not add a second tag);
/// consuming is once per arriving event (a redelivered echo gets the same decision, so a crash between the decision
/// and the ack can neither relay an echo nor swallow a second real event). Tags are counted per echo part: a message,
/// a member or a changed field, as the event type's declaration names them, within the conversation of the write that
/// causes the echo (the echo arrives in the same one): each call's keys share that conversation's Redis Cluster slot.
/// </summary>
internal sealed class OriginTags(IKeyValueStore store, IOptions<SyncOptions> options)
{
    private TimeSpan TagTtl => TimeSpan.FromSeconds(options.Value.OriginTagTtlSeconds);

    private TimeSpan DecisionTtl => TimeSpan.FromSeconds(options.Value.DedupeTtlSeconds);

    /// <summary>
    /// Before an IM write in <paramref name="conversation"/> caused by legacy event (or import batch)
    /// <paramref name="writeId"/>: expect these IM echoes.
    /// </summary>
    public Task ExpectImEchoesAsync(string writeId, string conversation, IReadOnlyList<string> imParts)
        => store.AddOnceAsync(
            RedisKeys.TagsWritten(RelayDirection.LegacyToIm, conversation, writeId),
            [.. imParts.Select(part => RedisKeys.ImEcho(conversation, part))],
            TagTtl);

    /// <summary>For an arriving IM event: which of its parts are echoes of our own writes.</summary>
    public Task<IReadOnlyList<bool>> TakeImEchoesAsync(string imEventId, string conversation, IReadOnlyList<string> imParts)
        => store.TakeOnceAsync(
            RedisKeys.EchoDecision(RelayDirection.ImToLegacy, conversation, imEventId),
            [.. imParts.Select(part => RedisKeys.ImEcho(conversation, part))],
            DecisionTtl);

    /// <summary>Before relaying IM event <paramref name="imEventId"/> to legacy: expect its legacy echoes, by content and by <c>syncorigin</c>.</summary>
    public Task ExpectLegacyEchoesAsync(string imEventId, string conversation, IReadOnlyList<string> legacyParts)
        => store.AddOnceAsync(
            RedisKeys.TagsWritten(RelayDirection.ImToLegacy, conversation, imEventId),
            [RedisKeys.LegacyOrigin(conversation, imEventId), .. legacyParts.Select(part => RedisKeys.LegacyEcho(conversation, part))],
            TagTtl);

    /// <summary>For an arriving legacy delta: which of its parts are echoes.</summary>
    public Task<IReadOnlyList<bool>> TakeLegacyEchoesAsync(string legacyEventId, string conversation, IReadOnlyList<string> legacyParts)
        => store.TakeOnceAsync(
            RedisKeys.EchoDecision(RelayDirection.LegacyToIm, conversation, legacyEventId),
            [.. legacyParts.Select(part => RedisKeys.LegacyEcho(conversation, part))],
            DecisionTtl);

    /// <summary>
    /// For an arriving legacy delta that names the relayed event in <c>syncorigin</c>: whether its origin tag was
    /// still there. Its content tags are taken all the same, so they cannot swallow a later genuine delta.
    /// </summary>
    public async Task<bool> TakeLegacyOriginAsync(string legacyEventId, string conversation, string syncOrigin, IReadOnlyList<string> legacyParts)
    {
        var taken = await store.TakeOnceAsync(
            RedisKeys.EchoDecision(RelayDirection.LegacyToIm, conversation, legacyEventId),
            [RedisKeys.LegacyOrigin(conversation, syncOrigin), .. legacyParts.Select(part => RedisKeys.LegacyEcho(conversation, part))],
            DecisionTtl);
        return taken[0];
    }
}
