using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;

namespace SyncGateway.Messaging;

/// <summary>Makes an intake's event durable: returns only once it is (or throws, and the intake answers an error).</summary>
internal interface IEventPublisher
{
    Task PublishAsync(ISyncEvent message, CancellationToken cancellationToken);
}

/// <summary>Sends each event to its conversation's relay queue (<see cref="RelayQueues"/>), through the queue's exchange.</summary>
internal sealed class EventPublisher(IBus bus, IOptions<RabbitMqOptions> rabbit, IOptions<SyncOptions> sync) : IEventPublisher
{
    public Task PublishAsync(ISyncEvent message, CancellationToken cancellationToken)
        => PublishAsync(message, TimeSpan.FromMilliseconds(rabbit.Value.PublishTimeoutMilliseconds), cancellationToken);

    /// <summary>Returns once the broker confirmed the event; throws when it did not within <paramref name="timeout"/>.</summary>
    public async Task PublishAsync(ISyncEvent message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
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
        }, deadline.Token);
    }
}
