using MassTransit;
using SyncGateway.Contracts;
using SyncGateway.Hosting;

namespace SyncGateway.Messaging;

internal static class MessagingRegistration
{
    /// <summary>
    /// MassTransit on RabbitMQ when <c>RabbitMq:Uri</c> is set, otherwise on the in-memory transport (not durable).
    /// Features add their consumers through <paramref name="addConsumers"/>.
    /// </summary>
    public static IHostApplicationBuilder AddMessaging(
        this IHostApplicationBuilder builder, Action<IBusRegistrationConfigurator> addConsumers)
    {
        builder.AddValidatedOptions<RabbitMqOptions>(RabbitMqOptions.SectionName, ValidateRabbitMq);
        builder.AddValidatedOptions<SyncOptions>(SyncOptions.SectionName, ValidateSync);
        var rabbit = builder.ReadOptions<RabbitMqOptions>(RabbitMqOptions.SectionName);

        builder.Services.AddMassTransit(bus =>
        {
            bus.SetKebabCaseEndpointNameFormatter();
            addConsumers(bus);

            if (string.IsNullOrWhiteSpace(rabbit.Uri))
            {
                bus.UsingInMemory((context, cfg) =>
                {
                    ConfigureTopology(cfg);
                    cfg.ConfigureEndpoints(context);
                });
                builder.Services.AddStartupWarning("RabbitMq:Uri is not set: events travel on MassTransit's in-memory transport. This mode is NOT durable (a restart loses queued events) and must not run in production.");
                return;
            }

            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(new Uri(rabbit.Uri), host => host.PublisherConfirmation = true);
                ConfigureTopology(cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        builder.Services.AddSingleton<IEventPublisher, EventPublisher>();
        builder.Services.AddSingleton<EndpointPartitioners>();
        builder.Services.AddSingleton<PauseGate>();
        return builder;
    }

    /// <summary>Pins exchange names so a refactor cannot silently change the wire topology.</summary>
    private static void ConfigureTopology(IBusFactoryConfigurator cfg)
    {
        foreach (var (messageType, eventType) in EventTypeNames.All)
        {
            PinMethod.MakeGenericMethod(messageType).Invoke(null, [cfg, eventType]);
        }

        // The shared interfaces are for code, not for routing: no exchanges for them.
        cfg.Publish<ISyncEvent>(p => p.Exclude = true);
        cfg.Publish<ISyncEvent<C2CMessageData>>(p => p.Exclude = true);
        cfg.Publish<ISyncEvent<GroupCreatedData>>(p => p.Exclude = true);
        cfg.Publish<ISyncEvent<GroupDismissedData>>(p => p.Exclude = true);
        cfg.Publish<ISyncEvent<GroupProfileChangedData>>(p => p.Exclude = true);
        cfg.Publish<ISyncEvent<GroupMembersJoinedData>>(p => p.Exclude = true);
        cfg.Publish<ISyncEvent<GroupMembersLeftData>>(p => p.Exclude = true);
        cfg.Publish<ISyncEvent<GroupMessageData>>(p => p.Exclude = true);
    }

    private static readonly System.Reflection.MethodInfo PinMethod =
        typeof(MessagingRegistration).GetMethod(nameof(Pin), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;

    private static void Pin<T>(IBusFactoryConfigurator cfg, string eventType)
        where T : class
        => cfg.Message<T>(m => m.SetEntityName("syncgw." + eventType));

    private static IEnumerable<string> ValidateRabbitMq(RabbitMqOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Uri)
            && (!Uri.TryCreate(options.Uri, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps")))
        {
            yield return "RabbitMq:Uri must be an amqp:// or amqps:// URI (amqp://user:pass@host:port/vhost)";
        }
        if (options.PublishTimeoutMilliseconds is < 100 or > 1900)
        {
            yield return "RabbitMq:PublishTimeoutMilliseconds must be between 100 and 1900 (IM waits 2 s for the callback answer)";
        }
        if (options.ClassicQueueVersion is not (0 or 1 or 2))
        {
            yield return "RabbitMq:ClassicQueueVersion must be 0 (the broker's default), 1 or 2";
        }
    }

    private static IEnumerable<string> ValidateSync(SyncOptions options)
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
        if (options.ConcurrencyPerEndpoint is < 1 or > 256)
        {
            yield return "Sync:ConcurrencyPerEndpoint must be between 1 and 256";
        }
        if (options.RetryLimit < 0)
        {
            yield return "Sync:RetryLimit must not be negative";
        }
    }
}
