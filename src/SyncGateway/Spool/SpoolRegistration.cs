using Microsoft.Extensions.Options;
using SyncGateway.Hosting;
using SyncGateway.Messaging;

namespace SyncGateway.Spool;

internal static class SpoolRegistration
{
    /// <summary>
    /// The spool behind the intakes (RabbitMQ only): <see cref="SpoolingPublisher"/> as the intakes' publisher and the
    /// <see cref="SpoolForwarder"/>. Registered after the bus, so the forwarder stops before the bus does.
    /// </summary>
    public static IHostApplicationBuilder AddSpool(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<SpoolOptions>(SpoolOptions.SectionName, Validate);
        builder.Services.AddSingleton(services => EventSpool.Open(
            services.GetRequiredService<IOptions<SpoolOptions>>().Value,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<SyncTelemetry>(),
            services.GetRequiredService<ILogger<EventSpool>>()));
        builder.Services.AddSingleton<EventPublisher>();
        builder.Services.AddSingleton<IEventPublisher, SpoolingPublisher>();
        builder.Services.AddHostedService<SpoolForwarder>();
        builder.Services.AddStartupCheck(services => services.GetRequiredService<EventSpool>());
        return builder;
    }

    private static IEnumerable<string> Validate(SpoolOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            yield return "Spool:Path must name the spool's SQLite file";
        }
        if (options.MaxEvents < 1)
        {
            yield return "Spool:MaxEvents must be positive";
        }
        if (options.MaxBytes < 1 << 20)
        {
            yield return "Spool:MaxBytes must be at least 1048576 (1 MiB)";
        }
    }
}
