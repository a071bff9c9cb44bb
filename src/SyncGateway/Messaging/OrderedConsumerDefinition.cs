using MassTransit;
using MassTransit.Middleware;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Hosting;

namespace SyncGateway.Messaging;

/// <summary>
/// Endpoint policy shared by every sync consumer: events of one conversation (the CloudEvents subject) are handled
/// one at a time in arrival order, and a transient failure is retried in place, inside the conversation's partition,
/// so later events of that conversation wait instead of overtaking it. The message stays unacknowledged in RabbitMQ
/// meanwhile, so a crash loses nothing. Permanent failures skip retry and fault to <c>{queue}_error</c>.
/// Budget: <see cref="SyncOptions.RetryLimit"/> retries, exponential from RetryMinInterval to RetryMaxInterval
/// (defaults: 60 retries, 0.5 s to 60 s, about 55 minutes), each retry holding up to the client's own HTTP attempts.
/// </summary>
internal class OrderedConsumerDefinition<TConsumer, TMessage> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer<TMessage>
    where TMessage : class, ISyncEvent
{
    private readonly SyncOptions _options;

    public OrderedConsumerDefinition(IOptions<SyncOptions> options)
    {
        _options = options.Value;
        ConcurrentMessageLimit = _options.ConcurrencyPerEndpoint;
        EndpointName = EventTypeNames.QueueFor(typeof(TMessage));
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.ConcurrencyPerEndpoint * 2;
        endpointConfigurator.ConcurrentMessageLimit = _options.ConcurrencyPerEndpoint;
        if (_options.Paused)
        {
            endpointConfigurator.AutoStart = false;
        }

        // Order matters: the partitioner is added first so the retry filter runs inside it.
        var partitioner = new Partitioner(_options.ConcurrencyPerEndpoint, new Murmur3UnsafeHashGenerator());
        endpointConfigurator.UsePartitioner<TMessage>(partitioner, ctx => MessageIds.For(ctx.Message.Meta.Subject));
        endpointConfigurator.UseMessageRetry(retry =>
        {
            retry.Ignore<PermanentFailureException>();
            retry.Exponential(
                _options.RetryLimit,
                TimeSpan.FromMilliseconds(_options.RetryMinIntervalMilliseconds),
                TimeSpan.FromSeconds(_options.RetryMaxIntervalSeconds),
                TimeSpan.FromMilliseconds(_options.RetryMinIntervalMilliseconds));
        });
    }
}
