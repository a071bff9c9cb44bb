using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Messaging;

namespace SyncGateway.Spool;

/// <summary>
/// The intakes' publisher with RabbitMQ: the broker's confirm when it comes within
/// <c>RabbitMq:PublishTimeoutMilliseconds</c>, else the local spool (on disk before this returns). An event goes
/// straight to the spool, without trying the broker, when its conversation already has events there (they must go
/// first) or while the broker is known to be away (bus disconnected, or a publish failed and nothing has been
/// confirmed since), so an outage costs an fsync per callback rather than a timeout.
/// </summary>
internal sealed partial class SpoolingPublisher(
    EventPublisher broker,
    IBusControl bus,
    EventSpool spool,
    BrokerState state,
    IOptions<RabbitMqOptions> rabbit,
    ILogger<SpoolingPublisher> logger) : IEventPublisher
{
    public async Task PublishAsync(ISyncEvent message, CancellationToken cancellationToken)
    {
        if (!state.Connected)
        {
            // The watch looks four times a second; right after start-up or a reconnect, ask the bus itself.
            state.BusHealth(BusWatch.IsConnected(bus));
        }
        if (!spool.Holds(EventSpool.KeyOf(message)) && (state.Confirms || (state.Connected && spool.Depth == 0)))
        {
            try
            {
                await broker.PublishAsync(message, TimeSpan.FromMilliseconds(rabbit.Value.PublishTimeoutMilliseconds), cancellationToken);
                state.PublishConfirmed();
                return;
            }
#pragma warning disable CA1031 // Whatever kept the confirm away, the spool makes the event durable instead.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (state.PublishFailed())
                {
                    LogSpooling(logger, rabbit.Value.PublishTimeoutMilliseconds, ex.GetType().Name, ex.Message);
                }
            }
        }
        else if (!state.Connected && state.PublishFailed())
        {
            LogSpoolingDisconnected(logger);
        }
        // A request IM has already given up on is still spooled: the event happened, and IM will not send it again.
        await spool.AppendAsync(message);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ did not confirm within {TimeoutMs} ms ({ErrorType}: {Reason}); spooling events locally until it does")]
    private static partial void LogSpooling(ILogger logger, int timeoutMs, string errorType, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RabbitMQ is not connected; spooling events locally until it is")]
    private static partial void LogSpoolingDisconnected(ILogger logger);
}
