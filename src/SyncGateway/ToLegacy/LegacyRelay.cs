using System.Diagnostics;
using System.Globalization;
using MassTransit;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Hosting;
using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Repair;

namespace SyncGateway.ToLegacy;

/// <summary>
/// The IM → legacy work on one event: note a message (or a group's member or profile change) as seen for the gap repair, drop it if it is the echo of our own IM write (origin tag), look a message up in
/// the ledger (one that came from legacy carries its legacy id; one born in IM is recorded under the event id), name
/// the message a recall or edit refers to with every id the ledger knows (a message unknown there keeps IM's ids), tag
/// the legacy echo it will cause, POST the signed CloudEvent. Every step is idempotent, so a retry or redelivery at any
/// point neither loses nor doubles the event; the steps around it are <see cref="RelaySteps"/>'.
/// </summary>
internal sealed class LegacyRelay(OriginTags tags, MessageLedger ledger, RepairState repair, GroupBaseline baseline, LegacyEventsClient client)
{
    public async Task<RelayResult> RelayAsync<TData>(IEventDeclaration<TData> declaration, ISyncEvent<TData> evt, CancellationToken cancellationToken)
        where TData : class
    {
        var meta = evt.Meta;
        var incoming = evt.Data;
        // A member change's callback and its repaired copy have different ids: the baseline says whether legacy has it.
        if (await baseline.AlreadyRelayedAsync(incoming, meta.Repaired == true) is { } already && already.Any(a => a))
        {
            if (declaration.Without(incoming, already) is not { } rest)
            {
                return new RelayResult.Skipped(SyncTelemetry.Outcomes.Duplicate, "this member change reached legacy already (callback and group state repair)");
            }
            incoming = rest;
        }
        // Seen, echo or not: the gap repair must not take it for missing. All at once: independent round trips.
        var seen = declaration is IMessageDeclaration<TData> seenMessage ? seenMessage.FromIm(meta, incoming) : null;
        var taking = tags.TakeImEchoesAsync(meta.Id, meta.Subject, declaration.ImEchoParts(incoming));
        await Task.WhenAll(taking, repair.MessageSeenAsync(seen), baseline.SeenAsync(meta.Id, incoming));
        var echoes = taking.Result;
        var data = declaration.Without(incoming, echoes);
        if (data is null)
        {
            return new RelayResult.Echo("origin-tag", seen?.Complete(new MessageTarget()));
        }
        var partly = !ReferenceEquals(data, evt.Data);

        MessageTarget? ids = null;
        if (declaration is IMessageDeclaration<TData> message && message.FromIm(meta, data) is { } entry)
        {
            ids = entry.Complete(new MessageTarget());
            var known = await ledger.FindByImIdAsync(entry);
            if (known is { Origin: MessageOrigin.Legacy })
            {
                ids = ids with { LegacyMessageId = known.LegacyMessageId };
                data = message.WithLegacyMessageId(data, known.LegacyMessageId);
            }
            else if (known is null)
            {
                await ledger.RecordAsync(entry);
            }
        }

        if (declaration is IMessageReferenceDeclaration<TData> reference)
        {
            var target = reference.Target(data);
            var complete = await ledger.FindAsync(target) is { } found ? found.Complete(target) : target;
            data = reference.WithTarget(data, complete);
            ids = complete;
        }

        await tags.ExpectLegacyEchoesAsync(meta.Id, meta.Subject, declaration.LegacyEchoParts(data));
        var current = Activity.Current;
        var cloudEvent = CloudEventWriter.Write(meta, data, current?.Id, current?.TraceStateString);
        var status = await client.DeliverAsync(meta.Id, cloudEvent, cancellationToken);
        return new RelayResult.Delivered(partly ? "partly-echo" : null, string.Create(CultureInfo.InvariantCulture, $"legacy {status}"), ids);
    }
}

/// <summary>Relays one IM event type to legacy; registered for each declared type.</summary>
internal sealed class RelayToLegacy<TEvent, TData>(RelaySteps steps, LegacyRelay relay, IEventDeclaration<TData> declaration) : IConsumer<TEvent>, IParkedRelay
    where TEvent : class, ISyncEvent<TData>
    where TData : class
{
    public Task Consume(ConsumeContext<TEvent> context)
        => steps.RunAsync(RelayDirection.ImToLegacy, context, context.Message, cancellationToken => relay.RelayAsync(declaration, context.Message, cancellationToken));

    public Task RelayParkedAsync(ISyncEvent evt, int attempt, CancellationToken cancellationToken)
        => steps.RelayAsync(RelayDirection.ImToLegacy, evt, attempt, cancellationToken => relay.RelayAsync(declaration, (TEvent)evt, cancellationToken), cancellationToken);
}
