using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;

namespace SyncGateway.Messaging;

/// <summary>Publishes intake events and returns only once the broker confirmed them (or throws).</summary>
internal interface IEventPublisher
{
    Task PublishAsync(ISyncEvent message, CancellationToken cancellationToken);
}

internal sealed class EventPublisher(IBus bus, IOptions<RabbitMqOptions> options) : IEventPublisher
{
    public async Task PublishAsync(ISyncEvent message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.PublishTimeoutMilliseconds);
        // With publisher confirms on, Publish completes only after RabbitMQ has taken responsibility for the message.
        await bus.Publish(message, message.GetType(), ctx =>
        {
            ctx.MessageId = MessageIds.For(message.Meta.Id);
            ctx.Durable = true;
            // Unroutable (no queue bound yet) must fail the publish instead of being confirmed and dropped.
            if (ctx.TryGetPayload<RabbitMqSendContext>(out var rabbit))
            {
                rabbit.Mandatory = true;
            }
        }, timeout.Token);
    }
}
