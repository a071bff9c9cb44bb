using Microsoft.Extensions.Options;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.LoopSuppression;

/// <summary>
/// Writes and consumes origin tags. Writing is once per source event (a retried write does not add a second tag);
/// consuming is once per arriving event (a redelivered echo gets the same decision, so a crash between the decision
/// and the ack can neither relay an echo nor swallow a second real event).
/// </summary>
internal sealed class OriginTags(IKeyValueStore store, IOptions<SyncOptions> options)
{
    private TimeSpan TagTtl => TimeSpan.FromSeconds(options.Value.OriginTagTtlSeconds);

    private TimeSpan DecisionTtl => TimeSpan.FromSeconds(options.Value.DedupeTtlSeconds);

    /// <summary>Before an IM write caused by legacy event <paramref name="legacyEventId"/>: expect these IM echoes.</summary>
    public Task ExpectImEchoesAsync(string legacyEventId, IReadOnlyList<string> imKeys)
        => store.AddOnceAsync($"tagged:lg:{legacyEventId}", imKeys, TagTtl);

    /// <summary>For an arriving IM event: which of its parts are echoes of our own writes.</summary>
    public Task<IReadOnlyList<bool>> TakeImEchoesAsync(string imEventId, IReadOnlyList<string> imKeys)
        => store.TakeOnceAsync($"echo:im:{imEventId}", imKeys, DecisionTtl);

    /// <summary>Before relaying IM event <paramref name="imEventId"/> to legacy: expect its legacy echoes.</summary>
    public Task ExpectLegacyEchoesAsync(string imEventId, IReadOnlyList<string> legacyKeys)
        => store.AddOnceAsync($"tagged:im:{imEventId}", [EchoParts.LegacyOriginKey(imEventId), .. legacyKeys], TagTtl);

    /// <summary>For an arriving legacy delta: which of its parts are echoes (the first flag is the syncorigin tag, if any).</summary>
    public Task<IReadOnlyList<bool>> TakeLegacyEchoesAsync(string legacyEventId, IReadOnlyList<string> legacyKeys)
        => store.TakeOnceAsync($"echo:lg:{legacyEventId}", legacyKeys, DecisionTtl);
}
