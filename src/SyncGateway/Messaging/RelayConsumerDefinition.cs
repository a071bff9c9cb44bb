using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;

namespace SyncGateway.Messaging;

/// <summary>
/// Consumer policy shared by every sync consumer; the queues they run on are set up by
/// <see cref="MessagingRegistration"/> (<see cref="RelayQueues"/>). <see cref="RelaySteps"/> retries a transient
/// failure in place for <see cref="SyncOptions.ParkAfterSeconds"/> and then parks the event with its conversation. The
/// retry here is for an event that could be neither delivered nor parked (Redis away): it is redelivered, unacknowledged
/// in RabbitMQ meanwhile so a crash loses nothing, up to <see cref="SyncOptions.RetryLimit"/> times, exponential from
/// RetryMinInterval to RetryMaxInterval (defaults: 60, 0.5 s to 60 s, about 55 minutes). Permanent failures skip retry
/// and fault to the direction's error queue.
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
