using System.Diagnostics;
using SyncGateway.Hosting;
using SyncGateway.Messaging;

namespace SyncGateway.Spool;

/// <summary>
/// Moves spooled events to RabbitMQ once the bus is connected, oldest first, and deletes each only after the broker
/// confirmed it. A conversation's events are sent one after another (each confirmed before the next), different
/// conversations side by side; a conversation whose send fails keeps the rest of its events for the next round, so
/// its order holds. On start-up this drains whatever a previous process left.
/// </summary>
internal sealed partial class SpoolForwarder(EventSpool spool, EventPublisher broker, BrokerState state, TimeProvider time, ILogger<SpoolForwarder> logger)
    : BackgroundService
{
    private const int BatchSize = 512;
    private const int ConversationsInFlight = 128;
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        var forwardedThisOutage = 0L;
        var nextReport = time.GetUtcNow();
        var nextProbe = time.GetUtcNow();
        var lastRoundConfirmed = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (spool.Depth == 0)
                {
                    if (forwardedThisOutage > 0)
                    {
                        LogDrained(logger, forwardedThisOutage);
                        forwardedThisOutage = 0;
                    }
                    nextReport = time.GetUtcNow();
                    await Task.Delay(Idle, time, stoppingToken);
                    continue;
                }
                if (time.GetUtcNow() >= nextReport)
                {
                    nextReport = time.GetUtcNow() + ReportEvery;
                    LogHolding(logger, spool.Depth, spool.Bytes, (spool.OldestAge() ?? TimeSpan.Zero).TotalSeconds);
                }
                // The bus reports itself connected only once every receive endpoint has reconnected, which MassTransit
                // paces at up to 30 s apart; a send connects by itself. So while the bus says it is not connected, the
                // oldest event probes the broker once a second, and a confirm starts the forwarding.
                var probe = !state.Connected && !lastRoundConfirmed;
                if (probe && time.GetUtcNow() < nextProbe)
                {
                    await Task.Delay(Idle, time, stoppingToken);
                    continue;
                }
                nextProbe = time.GetUtcNow() + ProbeEvery;

                IdleMemoryTrim.NoteWork();
                var (forwarded, failure) = await RoundAsync(probe ? 1 : BatchSize, probe ? ProbeTimeout : ConfirmTimeout, stoppingToken);
                forwardedThisOutage += forwarded;
                lastRoundConfirmed = failure is null && forwarded > 0;
                if (failure is null)
                {
                    backoff = TimeSpan.Zero;
                    continue;
                }
                state.PublishFailed();
                // A failed probe waits for the next one; a failed round while connected backs off.
                if (!probe)
                {
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                    LogRetrying(logger, failure.GetType().Name, failure.Message, backoff.TotalSeconds);
                    await Task.Delay(backoff, time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is left stays in the spool for the next start.
        }
    }

    // One batch: forward, then delete what the broker confirmed. A spool file error is a failure like a broker's.
    private async Task<(int Forwarded, Exception? Failure)> RoundAsync(int batchSize, TimeSpan confirmTimeout, CancellationToken stoppingToken)
    {
        try
        {
            var batch = await spool.ReadOldestAsync(batchSize);
            var (forwarded, failure) = await ForwardAsync(batch, confirmTimeout, stoppingToken);
            if (forwarded.Count > 0)
            {
                state.PublishConfirmed();
                await spool.DeleteAsync(forwarded);
            }
            return (forwarded.Count, failure);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (0, ex);
        }
    }

    private async Task<(List<SpooledEvent> Forwarded, Exception? Failure)> ForwardAsync(IReadOnlyList<SpooledEvent> batch, TimeSpan confirmTimeout, CancellationToken stoppingToken)
    {
        var forwarded = new List<SpooledEvent>(batch.Count);
        Exception? failure = null;
        var conversations = batch.GroupBy(spooled => spooled.Key, StringComparer.Ordinal);
        await Parallel.ForEachAsync(conversations, new ParallelOptions { MaxDegreeOfParallelism = ConversationsInFlight, CancellationToken = stoppingToken },
            async (conversation, cancellationToken) =>
            {
                foreach (var spooled in conversation)
                {
                    try
                    {
                        using var activity = ContinueTrace(spooled);
                        await broker.PublishAsync(spooled.Event, confirmTimeout, cancellationToken);
                    }
#pragma warning disable CA1031 // The event stays in the spool; the round reports the failure and backs off.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        failure = ex;
                        return;
                    }
                    spool.Forwarded(spooled);
                    lock (forwarded)
                    {
                        forwarded.Add(spooled);
                    }
                }
            });
        return (forwarded, failure);
    }

    /// <summary>The send joins the trace the event was accepted in, so its relay is still one trace with the callback or delta.</summary>
    private static Activity? ContinueTrace(SpooledEvent spooled)
        => spooled.TraceParent is not null && ActivityContext.TryParse(spooled.TraceParent, spooled.TraceState, out var parent)
            ? SyncTelemetry.Source.StartActivity($"forward {spooled.Event.Meta.Type}", ActivityKind.Producer, parent)
            : SyncTelemetry.Source.StartActivity($"forward {spooled.Event.Meta.Type}", ActivityKind.Producer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The spool holds {Depth} events ({Bytes} bytes), the oldest for {OldestAgeSeconds:0} s; forwarding to RabbitMQ as it confirms")]
    private static partial void LogHolding(ILogger logger, long depth, long bytes, double oldestAgeSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Spool drained: {Count} events forwarded to RabbitMQ")]
    private static partial void LogDrained(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding the spool to RabbitMQ failed ({ErrorType}: {Reason}); next try in {BackoffSeconds} s")]
    private static partial void LogRetrying(ILogger logger, string errorType, string reason, double backoffSeconds);
}
