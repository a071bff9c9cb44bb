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
    private const int ConversationsInFlight = 32;
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Idle = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        var forwardedThisOutage = 0L;
        var nextReport = time.GetUtcNow();
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
                if (!state.Connected)
                {
                    await Task.Delay(Idle, time, stoppingToken);
                    continue;
                }

                IdleMemoryTrim.NoteWork();
                var (forwarded, failure) = await RoundAsync(stoppingToken);
                forwardedThisOutage += forwarded;
                if (failure is not null)
                {
                    state.PublishFailed();
                    backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                    LogRetrying(logger, failure.GetType().Name, failure.Message, backoff.TotalSeconds);
                    await Task.Delay(backoff, time, stoppingToken);
                }
                else
                {
                    backoff = TimeSpan.Zero;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is left stays in the spool for the next start.
        }
    }

    // One batch: forward, then delete what the broker confirmed. A spool file error is a failure like a broker's.
    private async Task<(int Forwarded, Exception? Failure)> RoundAsync(CancellationToken stoppingToken)
    {
        try
        {
            var batch = await spool.ReadOldestAsync(BatchSize);
            var (forwarded, failure) = await ForwardAsync(batch, stoppingToken);
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

    private async Task<(List<SpooledEvent> Forwarded, Exception? Failure)> ForwardAsync(IReadOnlyList<SpooledEvent> batch, CancellationToken stoppingToken)
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
                        await broker.PublishAsync(spooled.Event, ConfirmTimeout, cancellationToken);
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
