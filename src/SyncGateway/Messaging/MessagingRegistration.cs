using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Hosting;
using SyncGateway.Spool;

namespace SyncGateway.Messaging;

internal static class MessagingRegistration
{
    /// <summary>Arguments of quorum relay queues that are theirs alone (<see cref="QuorumErrorQueue"/>).</summary>
    private static readonly string[] RelayQueueArguments =
        ["x-single-active-consumer", "x-delivery-limit", "x-dead-letter-exchange", "x-dead-letter-strategy", "x-overflow"];

    /// <summary>
    /// MassTransit on RabbitMQ when <c>RabbitMq:Uri</c> is set, otherwise on the in-memory transport (not durable),
    /// with a relay consumer of each direction for every declared event type (<see cref="EventCatalog"/>).
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<RabbitMqOptions>(RabbitMqOptions.SectionName, ValidateRabbitMq);
        builder.AddValidatedOptions<SyncOptions>(SyncOptions.SectionName, ValidateSync);
        var rabbit = builder.ReadOptions<RabbitMqOptions>(RabbitMqOptions.SectionName);
        builder.Services.AddSingleton<BrokerState>();
        builder.Services.AddSingleton<PauseGate>();
        builder.Services.AddSingleton<DirectionPause>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DirectionPause>());
        builder.Services.AddSingleton<RelaySteps>();
        builder.Services.AddSingleton<RelayHealth>();
        builder.Services.AddSingleton<ConversationParking>();
        builder.Services.AddSingleton<FaultedEvents>();
        builder.Services.AddHostedService<ParkingWorker>();

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            foreach (var declaration in EventCatalog.All)
            {
                declaration.AddTo(bus);
            }

            if (string.IsNullOrWhiteSpace(rabbit.Uri))
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    ConfigureRelayQueues(cfg, context, new RabbitMqOptions { ClassicQueueVersion = 0 });
                    cfg.ConfigureEndpoints(context);
                });
                return;
            }

            bus.UsingRabbitMq((context, cfg) =>
            {
                RabbitMqHost.Configure(cfg, rabbit);
                cfg.SendTopology.ErrorQueueNameFormatter = new RelayQueues.ErrorQueueNames();
                if (rabbit.IsQuorum)
                {
                    cfg.SendTopology.ConfigureErrorSettings = QuorumErrorQueue;
                    cfg.SendTopology.ConfigureDeadLetterSettings = QuorumErrorQueue;
                }
                ConfigureRelayQueues(cfg, context, rabbit);
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.AddHostedService<BusWatch>();
        builder.Services.AddReceiveEndpointObserver<QueueDeclarationGuard>();
        if (string.IsNullOrWhiteSpace(rabbit.Uri))
        {
            builder.Services.AddSingleton<IEventPublisher, EventPublisher>();
            builder.Services.AddStartupWarning("RabbitMq:Uri is not set: events travel on MassTransit's in-memory transport. This mode is NOT durable (a restart loses queued events) and must not run in production.");
            return builder;
        }
        builder.AddSpool();
        return builder;
    }

    /// <summary>
    /// A bus on RabbitMQ that only sends (no consumers, no relay queues declared), with publisher confirms, and the
    /// gateway's <see cref="EventPublisher"/>: how a command puts events into the relay queues of running gateways.
    /// Needs <c>RabbitMq:Uri</c>; the host's start waits until the broker is connected.
    /// </summary>
    public static IHostApplicationBuilder AddRelayPublisher(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<RabbitMqOptions>(RabbitMqOptions.SectionName, ValidateRabbitMq);
        builder.AddValidatedOptions<SyncOptions>(SyncOptions.SectionName, ValidateSync);
        var rabbit = builder.ReadOptions<RabbitMqOptions>(RabbitMqOptions.SectionName);
        if (string.IsNullOrWhiteSpace(rabbit.Uri))
        {
            throw new InvalidOperationException("RabbitMq:Uri is required to publish into the relay queues.");
        }
        builder.Services.AddMassTransit(bus => bus.UsingRabbitMq((_, cfg) => RabbitMqHost.Configure(cfg, rabbit)));
        // A broker that cannot be reached fails the start, before anything is read from IM.
        builder.Services.Configure<MassTransitHostOptions>(options => options.WaitUntilStarted = true);
        builder.Services.AddSingleton<IEventPublisher, EventPublisher>();
        return builder;
    }

    /// <summary>
    /// A relay consumer: configured on every queue of <paramref name="direction"/> (<see cref="RelayQueues"/>), not
    /// on an endpoint of its own.
    /// </summary>
    public static IBusRegistrationConfigurator AddRelayConsumer<TConsumer, TMessage>(this IBusRegistrationConfigurator bus, RelayDirection direction)
        where TConsumer : class, IConsumer<TMessage>
        where TMessage : class, ISyncEvent
    {
        bus.AddConsumer<TConsumer, RelayConsumerDefinition<TConsumer>>().ExcludeFromConfigureEndpoints();
        bus.AddSingleton(new RelayQueues.Consumer(typeof(TConsumer), direction));
        return bus;
    }

    /// <summary>
    /// The relay queues of both directions, each consumed one message at a time (<see cref="RelayQueues"/>). Their
    /// exchanges receive only what <see cref="EventPublisher"/> sends there: no message-type exchanges are bound.
    /// </summary>
    private static void ConfigureRelayQueues(IBusFactoryConfigurator cfg, IBusRegistrationContext context, RabbitMqOptions rabbitOptions)
    {
        var shards = context.GetRequiredService<IOptions<SyncOptions>>().Value.Shards;
        foreach (var direction in context.GetServices<RelayQueues.Consumer>().GroupBy(c => c.Direction))
        {
            for (var shard = 0; shard < shards; shard++)
            {
                cfg.ReceiveEndpoint(RelayQueues.Queue(direction.Key, shard), endpoint =>
                {
                    endpoint.ConfigureConsumeTopology = false;
                    endpoint.PrefetchCount = RelayQueues.PrefetchPerQueue;
                    endpoint.ConcurrentMessageLimit = 1;
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit)
                    {
                        // Another replica takes over a queue only when its consumer is gone, so order holds across replicas.
                        rabbit.SingleActiveConsumer = true;
                        if (rabbitOptions.IsQuorum)
                        {
                            rabbit.SetQuorumQueue();
                            rabbit.SetQueueArgument("x-delivery-limit", rabbitOptions.DeliveryLimit);
                            // Past the limit a message goes to the direction's error queue, never away: at-least-once
                            // dead-lettering keeps it in its queue until the error queue has taken it. Bound here, the
                            // error exchange and queue exist from the start, not only after the first fault.
                            rabbit.BindDeadLetterQueue(RelayQueues.ErrorQueue(direction.Key), configure: QuorumErrorQueue);
                            rabbit.SetQueueArgument("x-dead-letter-strategy", "at-least-once");
                            rabbit.SetQueueArgument("x-overflow", "reject-publish");
                        }
                        else if (rabbitOptions.ClassicQueueVersion > 0)
                        {
                            rabbit.SetQueueArgument("x-queue-version", rabbitOptions.ClassicQueueVersion);
                        }
                    }
                    foreach (var consumer in direction)
                    {
                        endpoint.ConfigureConsumer(context, consumer.ConsumerType);
                    }
                });
            }
        }
    }

    /// <summary>
    /// An error or skipped queue beside quorum relay queues, declared alike wherever it is (at start-up as the dead-letter
    /// target, or by MassTransit at a fault): a quorum queue too, since a classic one lives on one node and while that
    /// node is down no replica could fault a message or even start its receive endpoints. MassTransit copies the relay
    /// queue's arguments onto it; single active consumer, the delivery limit and dead-lettering (to itself) are the
    /// relay queues' own.
    /// </summary>
    private static void QuorumErrorQueue(IRabbitMqQueueConfigurator queue)
    {
        foreach (var argument in RelayQueueArguments)
        {
            queue.SetQueueArgument(argument, null);
        }
        queue.SetQuorumQueue();
    }

    private static IEnumerable<string> ValidateRabbitMq(RabbitMqOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Uri)
            && (!Uri.TryCreate(options.Uri, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps")))
        {
            yield return "RabbitMq:Uri must be an amqp:// or amqps:// URI (amqp://user:pass@host:port/vhost)";
        }
        if (!RabbitMqNode.TryParseList(options.ClusterNodes, out var nodes, out var invalid))
        {
            yield return $"RabbitMq:ClusterNodes must be comma-separated host:port entries (e.g. rabbit-0:5672,rabbit-1:5672); '{invalid}' is not one";
        }
        else if (nodes.Count > 0 && string.IsNullOrWhiteSpace(options.Uri))
        {
            yield return "RabbitMq:ClusterNodes needs RabbitMq:Uri, which gives the credentials and virtual host";
        }
        if (options.PublishTimeoutMilliseconds is < 100 or > 1500)
        {
            yield return "RabbitMq:PublishTimeoutMilliseconds must be between 100 and 1500 (IM waits 2 s for the callback answer, and an event the broker did not confirm still has to reach the spool)";
        }
        if (options.ClassicQueueVersion is not (0 or 1 or 2))
        {
            yield return "RabbitMq:ClassicQueueVersion must be 0 (the broker's default), 1 or 2";
        }
        if (!string.Equals(options.QueueType, RabbitMqOptions.Classic, StringComparison.OrdinalIgnoreCase) && !options.IsQuorum)
        {
            yield return "RabbitMq:QueueType must be classic or quorum";
        }
        if (options.DeliveryLimit < 1)
        {
            yield return "RabbitMq:DeliveryLimit must be at least 1";
        }
    }

    internal static IEnumerable<string> ValidateSync(SyncOptions options)
    {
        if (options.OriginTagTtlSeconds <= 0)
        {
            yield return "Sync:OriginTagTtlSeconds must be positive";
        }
        if (!string.IsNullOrWhiteSpace(options.ImportCutoff) && options.ImportCutoffTime is null)
        {
            yield return "Sync:ImportCutoff must be Unix seconds or an ISO 8601 time";
        }
        if (options.DedupeTtlSeconds < 3600)
        {
            yield return "Sync:DedupeTtlSeconds must be at least 3600 (it must outlast the retry budget)";
        }
        if (options.Shards is < 1 or > 256)
        {
            yield return "Sync:Shards must be between 1 and 256";
        }
        if (options.ParkAfterSeconds < 0)
        {
            yield return "Sync:ParkAfterSeconds must not be negative";
        }
        if (options.ParkRetryMaxSeconds < 1)
        {
            yield return "Sync:ParkRetryMaxSeconds must be at least 1";
        }
        if (options.RetryLimit < 0)
        {
            yield return "Sync:RetryLimit must not be negative";
        }
    }
}
