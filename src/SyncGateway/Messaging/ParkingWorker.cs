using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Hosting;
using SyncGateway.Store;

namespace SyncGateway.Messaging;

/// <summary>A relay consumer that can also relay an event taken out of a parking list, through the same steps.</summary>
internal interface IParkedRelay
{
    /// <summary>One try of <paramref name="evt"/> (<see cref="RelaySteps.RelayAsync"/>): returns when it is done, throws when not.</summary>
    Task RelayParkedAsync(ISyncEvent evt, int attempt, CancellationToken cancellationToken);
}

/// <summary>
/// Drains parked conversations (<see cref="ConversationParking"/>) without an operator: every second it takes the
/// conversations whose next try is due, and for each (one replica at a time: a lock in the store) relays the head through
/// the same relay steps as a consumer (dedupe, echo check), removes it when done and goes on with the next, so the
/// conversation drains in order and is un-parked when its list is empty. A transient failure sets the next try with
/// exponential backoff up to <see cref="SyncOptions.ParkRetryMaxSeconds"/>; a permanent one sends the head to its
/// direction's error queue and the conversation goes on. Also keeps the parking gauges' counts.
/// </summary>
internal sealed partial class ParkingWorker(
    ConversationParking parking,
    IKeyValueStore store,
    IServiceScopeFactory scopes,
    IEnumerable<RelayQueues.Consumer> consumers,
    IOptions<SyncOptions> options,
    IOptions<RabbitMqOptions> rabbit,
    SyncTelemetry telemetry,
    TimeProvider time,
    ILogger<ParkingWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // Counting lists every parked conversation: often enough for a gauge, rarely enough to stay cheap.
    private const int RoundsPerCount = 10;

    // Conversations taken per direction and round; the rest are due in the next round.
    private const int DuePerRound = 100;

    // Outlasts one relay (HTTP attempts included); renewed before each event.
    private static readonly TimeSpan LockTtl = TimeSpan.FromMinutes(2);

    private static readonly RelayDirection[] Directions = [RelayDirection.ImToLegacy, RelayDirection.LegacyToIm];

    private readonly string _owner = Guid.NewGuid().ToString("N");
    private readonly Dictionary<Type, Type> _consumerOf = consumers.ToDictionary(
        c => c.ConsumerType.GetInterfaces().Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IConsumer<>)).GetGenericArguments()[0],
        c => c.ConsumerType);

    private IReadOnlyList<ParkingCounts> _counts = [.. Directions.Select(d => new ParkingCounts(d, 0, 0, null))];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        telemetry.ObserveParking(() => Volatile.Read(ref _counts));
        using var timer = new PeriodicTimer(Interval, time);
        var round = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                foreach (var direction in Directions)
                {
                    foreach (var conversation in await parking.DueAsync(direction, DuePerRound))
                    {
                        await DrainAsync(direction, conversation, stoppingToken);
                    }
                }
                if (round++ % RoundsPerCount == 0)
                {
                    Volatile.Write(ref _counts, [.. await Task.WhenAll(Directions.Select(d => parking.CountAsync(d)))]);
                }
            }
#pragma warning disable CA1031 // A failed round (the store away) is logged; the next one tries again, the lists are durable.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                LogRoundFailed(logger, ex.Message);
            }
        }
    }

    /// <summary>Relays the conversation's parked events in order until one fails or none is left.</summary>
    internal async Task DrainAsync(RelayDirection direction, string conversation, CancellationToken cancellationToken)
    {
        var lockKey = RedisKeys.ParkLock(direction, conversation);
        if (!await store.SetValueAsync(lockKey, _owner, LockTtl, onlyIfAbsent: true))
        {
            return;
        }
        try
        {
            while (await parking.HeadAsync(direction, conversation) is { } head)
            {
                await store.SetValueAsync(lockKey, _owner, LockTtl);
                if (!await TryHeadAsync(direction, conversation, head, cancellationToken))
                {
                    return;
                }
                if (await parking.RemoveHeadAsync(direction, conversation, head.Raw))
                {
                    break;
                }
            }
            await parking.UnparkAsync(direction, conversation);
            LogUnparked(logger, conversation, direction.Target);
        }
        finally
        {
            if (await store.GetValueAsync(lockKey) == _owner)
            {
                await store.DeleteAsync(lockKey);
            }
        }
    }

    /// <summary>True when the head is done with (delivered, skipped, or faulted to the error queue); false when it stays.</summary>
    private async Task<bool> TryHeadAsync(RelayDirection direction, string conversation, ParkedHead head, CancellationToken cancellationToken)
    {
        if (head.Event is not { } evt)
        {
            // Written by a version that knew this type: nothing here can relay it, and holding the conversation on it helps no one.
            LogUnreadable(logger, conversation, head.Problem, head.Raw);
            return true;
        }
        var attempts = await parking.AttemptsAsync(direction, conversation);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var relay = (IParkedRelay)scope.ServiceProvider.GetRequiredService(_consumerOf[evt.GetType()]);
            await relay.RelayParkedAsync(evt, attempts + 1, cancellationToken);
            return true;
        }
        catch (PermanentFailureException ex)
        {
            await FaultAsync(direction, evt, ex.Message, cancellationToken);
            return true;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var wait = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, attempts), options.Value.ParkRetryMaxSeconds));
            await parking.NoteFailureAsync(direction, conversation, ex.Message, time.GetUtcNow() + wait);
            return false;
        }
    }

    /// <summary>To the direction's error queue, as a consumer's permanent failure goes: the conversation goes on.</summary>
    private async Task FaultAsync(RelayDirection direction, ISyncEvent evt, string reason, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IBus>();
        var errors = await bus.GetSendEndpoint(RelayQueues.ErrorAddress(direction, rabbit.Value));
        await errors.Send(evt, evt.GetType(), ctx =>
        {
            ctx.MessageId = MessageIds.For(evt.Meta.Id);
            ctx.Durable = true;
            if (ctx.TryGetPayload<RabbitMqSendContext>(out var rabbitContext))
            {
                rabbitContext.Mandatory = true;
            }
            ctx.Headers.Set("MT-Reason", "fault");
            ctx.Headers.Set("MT-Fault-Message", reason);
        }, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A round of parked conversation retries failed, the next one tries again: {Reason}")]
    private static partial void LogRoundFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Un-parked {Conversation}: its parked events reached {Target}")]
    private static partial void LogUnparked(ILogger logger, string conversation, string target);

    [LoggerMessage(Level = LogLevel.Error, Message = "Dropped an unreadable parked event of {Conversation} ({Problem}): {Entry}")]
    private static partial void LogUnreadable(ILogger logger, string conversation, string? problem, string entry);
}
