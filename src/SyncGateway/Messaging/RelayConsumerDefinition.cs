using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;

namespace SyncGateway.Messaging;

/// <summary>
/// Consumer policy shared by every sync consumer; the queues they run on are set up by
/// <see cref="MessagingRegistration"/> (<see cref="RelayQueues"/>). A transient failure is retried in place, so the
/// events queued behind it wait instead of overtaking it; the message stays unacknowledged in RabbitMQ meanwhile, so a
/// crash loses nothing. Permanent failures skip retry and fault to the direction's error queue. Budget:
/// <see cref="SyncOptions.RetryLimit"/> retries, exponential from RetryMinInterval to RetryMaxInterval (defaults: 60
/// retries, 0.5 s to 60 s, about 55 minutes).
/// </summary>
internal sealed class RelayConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    private readonly SyncOptions _options;
    private readonly PauseGate _pause;

    public RelayConsumerDefinition(IOptions<SyncOptions> options, PauseGate pause)
    {
        _options = options.Value;
        _pause = pause;
    }

    protected override void ConfigureConsumer(
        IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator,
        IRegistrationContext context)
    {
        var direction = context.GetServices<RelayQueues.Consumer>().First(c => c.ConsumerType == typeof(TConsumer)).Direction;
        consumerConfigurator.UseFilter(new PauseFilter<TConsumer>(_pause, direction));
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
