using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;

namespace SyncGateway.Messaging;

/// <summary>Publishes intake events and returns only once the broker confirmed them (or throws).</summary>
internal interface IEventPublisher
{
    Task PublishAsync(ISyncEvent message, CancellationToken cancellationToken);
}

/// <summary>Sends each event to its conversation's relay queue (<see cref="RelayQueues"/>), through the queue's exchange.</summary>
internal sealed class EventPublisher(IBus bus, IOptions<RabbitMqOptions> rabbit, IOptions<SyncOptions> sync) : IEventPublisher
{
    public async Task PublishAsync(ISyncEvent message, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(rabbit.Value.PublishTimeoutMilliseconds);
        var queue = await bus.GetSendEndpoint(new Uri("exchange:" + RelayQueues.QueueFor(message, sync.Value.Shards)));
        // With publisher confirms on, Send completes only after RabbitMQ has taken responsibility for the message.
        await queue.Send(message, message.GetType(), ctx =>
        {
            ctx.MessageId = MessageIds.For(message.Meta.Id);
            ctx.Durable = true;
            // Unroutable (the queue not declared yet) must fail the send instead of being confirmed and dropped.
            if (ctx.TryGetPayload<RabbitMqSendContext>(out var rabbitContext))
            {
                rabbitContext.Mandatory = true;
            }
        }, timeout.Token);
    }
}
