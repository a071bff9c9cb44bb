using System.Diagnostics;
using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.ToLegacy;

/// <summary>
/// Delivers one IM event to legacy: drop it if already delivered (duplicate) or if it is the echo of our own IM
/// write (origin tag), tag the legacy echo it will cause, POST the signed CloudEvent, then remember the delivery.
/// Every step is idempotent, so a retry or redelivery at any point neither loses nor doubles the event.
/// </summary>
internal sealed partial class LegacyRelay(
    IKeyValueStore store,
    OriginTags tags,
    LegacyEventsClient client,
    IOptions<SyncOptions> options,
    TimeProvider time,
    ILogger<LegacyRelay> logger)
{
    public async Task RelayAsync<TData>(ConsumeContext context, ISyncEvent<TData> evt) where TData : class
    {
        var meta = evt.Meta;
        using var activity = SyncTelemetry.Source.StartActivity($"relay {meta.Type}");
        SyncTelemetry.TagEvent(activity ?? Activity.Current, SyncTelemetry.ToLegacy, meta.Type, meta.Id, meta.Subject);

        try
        {
            if (await store.ExistsAsync(DeliveredKey(meta.Id)))
            {
                SyncTelemetry.RecordOutcome(SyncTelemetry.ToLegacy, meta.Type, SyncTelemetry.Outcomes.Duplicate);
                LogDuplicate(logger, meta.Type, meta.Id, meta.Subject);
                return;
            }

            var echoes = await tags.TakeImEchoesAsync(meta.Id, EchoParts.ImKeys(evt.Data));
            var data = EchoParts.Without(evt.Data, echoes);
            if (data is null)
            {
                SyncTelemetry.RecordOutcome(SyncTelemetry.ToLegacy, meta.Type, SyncTelemetry.Outcomes.SuppressedEcho, "origin-tag");
                LogEcho(logger, meta.Type, meta.Id, meta.Subject);
                return;
            }

            await tags.ExpectLegacyEchoesAsync(meta.Id, EchoParts.LegacyKeys(data));
            var current = Activity.Current;
            var cloudEvent = CloudEventWriter.Write(meta, data, current?.Id, current?.TraceStateString);
            await client.DeliverAsync(meta.Id, cloudEvent, context.CancellationToken);
            await store.SetAsync(DeliveredKey(meta.Id), TimeSpan.FromSeconds(options.Value.DedupeTtlSeconds));

            SyncTelemetry.RecordOutcome(SyncTelemetry.ToLegacy, meta.Type, SyncTelemetry.Outcomes.Relayed,
                ReferenceEquals(data, evt.Data) ? null : "partly-echo");
            SyncTelemetry.RecordRelayLatency(SyncTelemetry.ToLegacy, meta.Type, time.GetUtcNow() - meta.Time);
            LogRelayed(logger, meta.Type, meta.Id, meta.Subject);
        }
        catch (PermanentFailureException ex)
        {
            SyncTelemetry.RecordOutcome(SyncTelemetry.ToLegacy, meta.Type, SyncTelemetry.Outcomes.Faulted, ex.Message);
            LogFaulted(logger, meta.Type, meta.Id, meta.Subject, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SyncTelemetry.RecordOutcome(SyncTelemetry.ToLegacy, meta.Type, SyncTelemetry.Outcomes.Retried, ex.Message);
            LogRetry(logger, meta.Type, meta.Id, meta.Subject, context.GetRetryAttempt(), ex.Message);
            throw;
        }
    }

    private static string DeliveredKey(string eventId) => $"delivered:{eventId}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Relayed {EventType} {CloudEventId} on {Conversation} to legacy")]
    private static partial void LogRelayed(ILogger logger, string eventType, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Suppressed {EventType} {CloudEventId} on {Conversation}: echo of the gateway's own IM write")]
    private static partial void LogEcho(ILogger logger, string eventType, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped duplicate {EventType} {CloudEventId} on {Conversation}: already delivered")]
    private static partial void LogDuplicate(ILogger logger, string eventType, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relay of {EventType} {CloudEventId} on {Conversation} failed (attempt {Attempt}), will retry: {Reason}")]
    private static partial void LogRetry(ILogger logger, string eventType, string cloudEventId, string conversation, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Relay of {EventType} {CloudEventId} on {Conversation} failed permanently, moved to the error queue: {Reason}")]
    private static partial void LogFaulted(ILogger logger, string eventType, string cloudEventId, string conversation, string reason);
}
