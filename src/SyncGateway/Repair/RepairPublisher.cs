using SyncGateway.Contracts;
using SyncGateway.Ledger;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.Repair;

/// <summary>The last step of every repair: an event never relayed goes into the relay path (not in a dry run).</summary>
internal sealed class RepairPublisher(IKeyValueStore store, IEventPublisher publisher)
{
    /// <summary>What the ledger says of a message found in IM's history: the gateway's own write, relayed already, or nothing.</summary>
    public static RepairOutcome? Known(LedgerEntry? entry)
        => entry is null ? null : entry.Origin == MessageOrigin.Legacy ? RepairOutcome.OwnWrite : RepairOutcome.AlreadyRelayed;

    /// <summary>
    /// Publishes <paramref name="evt"/> unless the relay has delivered an event with its id (the late callback came);
    /// should that happen after this check, the relay drops the second one by the same id.
    /// </summary>
    public async Task<RepairOutcome> PublishUnlessRelayedAsync(ISyncEvent evt, bool dryRun, CancellationToken cancellationToken)
    {
        if (await store.ExistsAsync(RedisKeys.Done(RelayDirection.ImToLegacy, evt.Meta.Id)))
        {
            return RepairOutcome.AlreadyRelayed;
        }
        if (dryRun)
        {
            return RepairOutcome.Missing;
        }
        await publisher.PublishAsync(evt, cancellationToken);
        return RepairOutcome.Repaired;
    }
}
