using System.Diagnostics;
using System.Globalization;
using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Ledger;
using SyncGateway.Store;

namespace SyncGateway.Messaging;

/// <summary>What a direction's own work did with one event; <see cref="RelaySteps"/> counts, logs and remembers it.</summary>
internal abstract record RelayResult
{
    /// <summary>
    /// Delivered to the other side. <paramref name="Reason"/> says why only part of it was (e.g. <c>partly-echo</c>);
    /// <paramref name="Answer"/> is the other side's (legacy's status, IM's ids) and <paramref name="Ids"/> the message's
    /// ids on both sides, for the delivery ledger.
    /// </summary>
    public sealed record Delivered(string? Reason = null, string? Answer = null, MessageTarget? Ids = null) : RelayResult;

    /// <summary>
    /// The echo of the gateway's own write on the other side; <paramref name="Signal"/> says how it was recognised,
    /// <paramref name="Ids"/> names the message for the delivery ledger.
    /// </summary>
    public sealed record Echo(string Signal, MessageTarget? Ids = null) : RelayResult;

    /// <summary>Nothing to deliver; <paramref name="Outcome"/> is the outcome counted (ignored, duplicate).</summary>
    public sealed record Skipped(string Outcome, string Reason) : RelayResult;
}

/// <summary>
/// The steps every event takes in either direction, around the direction's own work: behind its parked conversation,
/// or tried in place for <see cref="SyncOptions.ParkAfterSeconds"/> and then parked (<see cref="ConversationParking"/>);
/// each try with a span and its outcome, the duplicate check and "remember it", outcome metrics and logs, the logging of
/// a failure, and each event's steps in the <see cref="DeliveryLedger"/> (received, timed by the intake, with the
/// outcome: one write per outcome; a ledger that cannot be written never fails the event, it only loses the lines). A
/// permanent failure (<see cref="PermanentFailureException"/>) is kept in <see cref="FaultedEvents"/> for an operator,
/// and the conversation goes on; when that cannot be written, it flows on to the error queue. The work itself (echo
/// check, delivery) is the direction's: <c>LegacyRelay</c> and <c>ImWriter</c>.
/// </summary>
internal sealed partial class RelaySteps(
    IKeyValueStore store,
    ConversationParking parking,
    FaultedEvents faults,
    SyncTelemetry telemetry,
    RelayHealth health,
    DeliveryLedger deliveries,
    IOptions<SyncOptions> options,
    TimeProvider time,
    ILogger<RelaySteps> logger)
{
    // Tries in place grow from Sync:RetryMinIntervalMilliseconds up to this, within the park budget.
    private static readonly TimeSpan LongestInPlaceInterval = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How long a write in flight may go on once its consume is cancelled (the broker connection dropped, or the host
    /// stops). It may already have reached the other side: finishing it and recording it turns the redelivery that
    /// follows into a duplicate that is dropped, where abandoning it would deliver the event a second time.
    /// </summary>
    internal static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(5);

    /// <summary>A parked conversation's first retry waits this long.</summary>
    public static readonly TimeSpan FirstParkedRetry = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A consumed event: appended behind its conversation when that is parked, otherwise tried in place until it is
    /// done, fails permanently (thrown: the error queue) or the park budget is spent (parked, and acknowledged).
    /// Parking needs the store: when it is away, this throws and the consumer's retry redelivers the event later.
    /// </summary>
    public async Task RunAsync(RelayDirection direction, ConsumeContext context, ISyncEvent evt, Func<CancellationToken, Task<RelayResult>> work)
    {
        var meta = evt.Meta;
        var cancellationToken = context.CancellationToken;
        using var inFlight = new CancellationTokenSource();
        using var graceOnCancel = cancellationToken.Register(() => inFlight.CancelAfter(InFlightGrace));
        var budget = TimeSpan.FromSeconds(options.Value.ParkAfterSeconds);
        var started = time.GetTimestamp();
        var interval = TimeSpan.FromMilliseconds(options.Value.RetryMinIntervalMilliseconds);
        DateTimeOffset? firstFailure = null;
        // Only this consumer parks its queue's conversations, so one successful look is enough.
        var lookedForPark = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (!lookedForPark)
                {
                    if (await LookForParkAsync(direction, evt, attempt))
                    {
                        return;
                    }
                    lookedForPark = true;
                }
                await RelayAsync(direction, evt, attempt, work, inFlight.Token, firstFromQueue: attempt == 1);
                return;
            }
            catch (PermanentFailureException ex)
            {
                await FaultAsync(direction, evt, attempt, firstFailure ?? time.GetUtcNow(), ex);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                firstFailure ??= time.GetUtcNow();
                var left = budget - time.GetElapsedTime(started);
                if (left <= TimeSpan.Zero)
                {
                    await parking.ParkAsync(direction, evt, attempt, firstFailure.Value, ex.Message, FirstParkedRetry);
                    telemetry.RecordOutcome(direction, meta.Type, SyncTelemetry.Outcomes.Parked, ex.Message);
                    LogParked(logger, meta.Type, meta.Id, meta.Subject, attempt, ex.Message);
                    await NoteAsync(meta, null, deliveries.Step(DeliverySteps.Parked, string.Create(CultureInfo.InvariantCulture, $"after {attempt} tries: {ex.Message}")));
                    return;
                }
                await Task.Delay(interval < left ? interval : left, time, cancellationToken);
                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, LongestInPlaceInterval.Ticks));
            }
        }
    }

    /// <summary>Keeps a permanently failed event for an operator; when the store cannot take it, rethrows to the error queue.</summary>
    private async Task FaultAsync(RelayDirection direction, ISyncEvent evt, int attempts, DateTimeOffset firstFailure, PermanentFailureException failure)
    {
        try
        {
            await faults.RecordAsync(direction, evt, attempts, firstFailure, failure.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFaultNotKept(logger, evt.Meta.Type, evt.Meta.Id, ex.Message);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>True when <paramref name="evt"/> was appended behind its parked conversation; a store failure is a failed try.</summary>
    private async Task<bool> LookForParkAsync(RelayDirection direction, ISyncEvent evt, int attempt)
    {
        var meta = evt.Meta;
        try
        {
            if (!await parking.AppendIfParkedAsync(direction, evt))
            {
                return false;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            NoteRetry(direction, meta, attempt, ex.Message);
            throw;
        }
        telemetry.RecordOutcome(direction, meta.Type, SyncTelemetry.Outcomes.Parked, "behind-parked-event");
        LogBehindParked(logger, meta.Type, meta.Id, meta.Subject);
        await NoteAsync(meta, null, deliveries.Step(DeliverySteps.Parked, "behind its conversation's parked event"));
        return true;
    }

    /// <summary>
    /// One try of <paramref name="evt"/>: done, skipped or an echo, or it throws (logged; a
    /// <see cref="PermanentFailureException"/> when retrying cannot help). The parking worker calls this for a parked head.
    /// <paramref name="firstFromQueue"/>: the consumer's first try of a delivery from the broker, which writes the ledger's
    /// "received" line (a parked or replayed event has one).
    /// </summary>
    public async Task RelayAsync(RelayDirection direction, ISyncEvent evt, int attempt, Func<CancellationToken, Task<RelayResult>> work, CancellationToken cancellationToken, bool firstFromQueue = false)
    {
        IdleMemoryTrim.NoteWork();
        var meta = evt.Meta;
        using var activity = SyncTelemetry.Source.StartActivity($"{direction.SpanVerb} {meta.Type}");
        SyncTelemetry.TagEvent(activity ?? Activity.Current, direction, meta.Type, meta.Id, meta.Subject);
        var done = RedisKeys.Done(direction, meta.Id);
        // Intake-side steps stay out of the intakes (they must answer without Redis): the relay writes "received" with
        // the intake's time, on the first try of a delivery; a broker redelivery writes it again, which the ledger shows as is.
        var received = firstFromQueue
            ? DeliveryLedger.Received(meta.ReceivedAt, direction, meta.Type, meta.Subject, (activity ?? Activity.Current)?.TraceId.ToHexString())
            : null;

        try
        {
            if (await store.ExistsAsync(done))
            {
                telemetry.RecordOutcome(direction, meta.Type, SyncTelemetry.Outcomes.Duplicate);
                LogDuplicate(logger, meta.Type, meta.Id, meta.Subject);
                await NoteAsync(meta, received, deliveries.Step(DeliverySteps.Duplicate, "already done"));
                return;
            }

            var result = await work(cancellationToken);
            switch (result)
            {
                case RelayResult.Delivered delivered:
                    await RememberDeliveredAsync(done, meta, cancellationToken);
                    telemetry.RecordOutcome(direction, meta.Type, direction.DeliveredOutcome, delivered.Reason);
                    var latency = time.GetUtcNow() - meta.Time;
                    telemetry.RecordRelayLatency(direction, meta.Type, latency);
                    // A repaired event is late by design: it says nothing about whether the relay keeps up.
                    if (meta.Repaired != true)
                    {
                        health.NoteDelivered(direction, latency);
                    }
                    LogDelivered(logger, direction.Delivered, meta.Type, meta.Id, meta.Subject, direction.Target);
                    await NoteAsync(meta, received, deliveries.Step(DeliverySteps.Relayed, Join(delivered.Answer, delivered.Reason)), delivered.Ids);
                    break;
                case RelayResult.Echo echo:
                    telemetry.RecordOutcome(direction, meta.Type, SyncTelemetry.Outcomes.SuppressedEcho, echo.Signal);
                    LogEcho(logger, meta.Type, meta.Id, meta.Subject, direction.Target, echo.Signal);
                    await NoteAsync(meta, received, deliveries.Step(DeliverySteps.Echo, echo.Signal), echo.Ids);
                    break;
                case RelayResult.Skipped skipped:
                    await store.SetAsync(done, TimeSpan.FromSeconds(options.Value.DedupeTtlSeconds));
                    telemetry.RecordOutcome(direction, meta.Type, skipped.Outcome, skipped.Reason);
                    LogSkipped(logger, meta.Type, meta.Id, meta.Subject, direction.Target, skipped.Reason);
                    var step = skipped.Outcome == SyncTelemetry.Outcomes.Duplicate ? DeliverySteps.Duplicate : DeliverySteps.Skipped;
                    await NoteAsync(meta, received, deliveries.Step(step, skipped.Reason));
                    break;
            }
        }
        catch (PermanentFailureException ex)
        {
            health.NoteFailure(direction);
            telemetry.RecordOutcome(direction, meta.Type, SyncTelemetry.Outcomes.Faulted, ex.Message);
            LogFaulted(logger, meta.Type, meta.Id, meta.Subject, direction.Target, ex.Message);
            await NoteAsync(meta, received, deliveries.Step(DeliverySteps.Faulted, ex.Message));
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            NoteRetry(direction, meta, attempt, ex.Message);
            await NoteAsync(meta, received, deliveries.Step(DeliverySteps.Retried, string.Create(CultureInfo.InvariantCulture, $"attempt {attempt}: {ex.Message}")));
            throw;
        }
    }

    private static string? Join(string? first, string? second)
        => first is null ? second : second is null ? first : first + "; " + second;

    private async Task NoteAsync(EventMeta meta, string? received, string step, MessageTarget? ids = null)
    {
        try
        {
            await deliveries.RecordAsync(meta.Id, received is null ? [step] : [received, step], ids);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLedgerNotWritten(logger, meta.Type, meta.Id, ex.Message);
        }
    }

    private void NoteRetry(RelayDirection direction, EventMeta meta, int attempt, string reason)
    {
        health.NoteFailure(direction);
        telemetry.RecordOutcome(direction, meta.Type, SyncTelemetry.Outcomes.Retried, reason);
        LogRetry(logger, meta.Type, meta.Id, meta.Subject, direction.Target, attempt, reason);
    }

    /// <summary>
    /// The other side has the event: failing now would deliver it again. So the marker write gets a few quick tries and
    /// then the event counts as done without it (logged): only a later copy of this event (a re-forwarded spool entry, a
    /// broker redelivery) would then be delivered again, with the same id the receiver dedupes by.
    /// </summary>
    private async Task RememberDeliveredAsync(string done, EventMeta meta, CancellationToken cancellationToken)
    {
        if (await AfterDelivery.TryWriteAsync(() => store.SetAsync(done, TimeSpan.FromSeconds(options.Value.DedupeTtlSeconds)), time, cancellationToken) is { } failure)
        {
            LogNotRemembered(logger, meta.Type, meta.Id, meta.Subject, failure.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Parked {EventType} {CloudEventId} and its conversation {Conversation} after {Attempts} failed tries; its later events wait behind it and it is retried in the background: {Reason}")]
    private static partial void LogParked(ILogger logger, string eventType, string cloudEventId, string conversation, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId} waits behind the parked event of {Conversation}")]
    private static partial void LogBehindParked(ILogger logger, string eventType, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivered {EventType} {CloudEventId} on {Conversation} but could not record it ({Reason}); a later copy of it would be delivered again, with the same id")]
    private static partial void LogNotRemembered(ILogger logger, string eventType, string cloudEventId, string conversation, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the delivery ledger's step of {EventType} {CloudEventId} ({Reason}); the admin API will not show it")]
    private static partial void LogLedgerNotWritten(ILogger logger, string eventType, string cloudEventId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} {EventType} {CloudEventId} on {Conversation} to {Target}")]
    private static partial void LogDelivered(ILogger logger, string action, string eventType, string cloudEventId, string conversation, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Suppressed {EventType} {CloudEventId} on {Conversation}: echo of the gateway's own write, not sent back to {Target} ({EchoTag})")]
    private static partial void LogEcho(ILogger logger, string eventType, string cloudEventId, string conversation, string target, string echoTag);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped duplicate {EventType} {CloudEventId} on {Conversation}: already done")]
    private static partial void LogDuplicate(ILogger logger, string eventType, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Nothing to send to {Target} for {EventType} {CloudEventId} on {Conversation}: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string eventType, string cloudEventId, string conversation, string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {EventType} {CloudEventId} on {Conversation} to {Target} failed (attempt {Attempt}), will retry: {Reason}")]
    private static partial void LogRetry(ILogger logger, string eventType, string cloudEventId, string conversation, string target, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not keep faulted {EventType} {CloudEventId} for an operator ({Reason}); it goes to the error queue")]
    private static partial void LogFaultNotKept(ILogger logger, string eventType, string cloudEventId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sending {EventType} {CloudEventId} on {Conversation} to {Target} failed permanently; faulted, its conversation goes on: {Reason}")]
    private static partial void LogFaulted(ILogger logger, string eventType, string cloudEventId, string conversation, string target, string reason);
}
