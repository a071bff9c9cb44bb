using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Hosting;

namespace SyncGateway.Messaging;

/// <summary>
/// One partitioner per receive endpoint, shared by every message type on it, so that events of one conversation are
/// sequential whatever their type (a member join must not overtake the group's creation).
/// </summary>
internal sealed class EndpointPartitioners(IOptions<SyncOptions> options)
{
    private readonly ConcurrentDictionary<string, IPartitioner> _partitioners = new(StringComparer.Ordinal);

    public IPartitioner For(string endpointName)
        => _partitioners.GetOrAdd(endpointName, _ => new MassTransit.Middleware.Partitioner(options.Value.ConcurrencyPerEndpoint, new MassTransit.Middleware.Murmur3UnsafeHashGenerator()));
}

/// <summary>
/// Endpoint policy shared by every sync consumer. All consumers of one direction share one queue
/// (<c>relay.im-to-legacy</c>, <c>relay.legacy-to-im</c>) and one partitioner keyed by conversation (the CloudEvents
/// subject): events of one conversation are handled one at a time in arrival order. A transient failure is retried
/// in place, inside the conversation's partition, so later events of that conversation wait instead of overtaking
/// it; the message stays unacknowledged in RabbitMQ meanwhile, so a crash loses nothing. Permanent failures skip
/// retry and fault to <c>{queue}_error</c>. Budget: <see cref="SyncOptions.RetryLimit"/> retries, exponential from
/// RetryMinInterval to RetryMaxInterval (defaults: 60 retries, 0.5 s to 60 s, about 55 minutes).
/// </summary>
internal class OrderedConsumerDefinition<TConsumer, TMessage> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer<TMessage>
    where TMessage : class, ISyncEvent
{
    public const string ToLegacyQueue = "relay.im-to-legacy";
    public const string ToImQueue = "relay.legacy-to-im";

    private readonly SyncOptions _options;
    private readonly int _queueVersion;
    private readonly EndpointPartitioners _partitioners;
    private readonly PauseGate _pause;
    private readonly string _queue;

    public OrderedConsumerDefinition(IOptions<SyncOptions> options, IOptions<RabbitMqOptions> rabbit, EndpointPartitioners partitioners, PauseGate pause)
    {
        _options = options.Value;
        _queueVersion = rabbit.Value.ClassicQueueVersion;
        _partitioners = partitioners;
        _pause = pause;
        ConcurrentMessageLimit = _options.ConcurrencyPerEndpoint;
        _queue = EventTypeNames.All[typeof(TMessage)].StartsWith("im.", StringComparison.Ordinal) ? ToLegacyQueue : ToImQueue;
        EndpointName = _queue;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        if (_queueVersion > 0 && endpointConfigurator is IRabbitMqReceiveEndpointConfigurator rabbit)
        {
            rabbit.SetQueueArgument("x-queue-version", _queueVersion);
        }
        endpointConfigurator.PrefetchCount = _options.ConcurrencyPerEndpoint * 2;
        endpointConfigurator.ConcurrentMessageLimit = _options.ConcurrencyPerEndpoint;
        // The partitioner is on the endpoint pipe, the retry on the consumer pipe inside it.
        endpointConfigurator.UsePartitioner<TMessage>(_partitioners.For(_queue), ctx => MessageIds.For(ctx.Message.Meta.Subject));
        consumerConfigurator.UseFilter(new PauseFilter<TConsumer>(_pause));
        consumerConfigurator.UseMessageRetry(retry =>
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
