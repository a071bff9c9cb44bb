using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace SyncGateway.Hosting;

internal static class TelemetryRegistration
{
    /// <summary>Activity sources exported as traces: ours, the inbound HTTP server, outbound HTTP, and the bus.</summary>
    public static readonly IReadOnlyList<string> TraceSources = [SyncTelemetry.Name, "Microsoft.AspNetCore", "System.Net.Http", "MassTransit"];

    /// <summary>Meters exported as metrics.</summary>
    public static readonly IReadOnlyList<string> Meters = [SyncTelemetry.Name, "MassTransit", "Microsoft.AspNetCore.Hosting", "System.Net.Http"];

    /// <summary>
    /// Traces and metrics through the OpenTelemetry SDK, configured by the standard <c>OTEL_*</c> variables.
    /// The providers live as long as the host: built before any hosted service starts, flushed after all have stopped.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TelemetryProviders>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TelemetryProviders>());
        return builder;
    }

    /// <summary>Adds to the tracer provider when it is built, e.g. an extra processor or exporter in tests.</summary>
    public static IServiceCollection ConfigureTracing(this IServiceCollection services, Action<TracerProviderBuilder> configure)
        => services.AddSingleton(new TelemetryCustomization(configure, null));

    /// <summary>Adds to the meter provider when it is built, e.g. an extra metric reader in tests.</summary>
    public static IServiceCollection ConfigureMetrics(this IServiceCollection services, Action<MeterProviderBuilder> configure)
        => services.AddSingleton(new TelemetryCustomization(null, configure));
}

internal sealed record TelemetryCustomization(Action<TracerProviderBuilder>? Tracing, Action<MeterProviderBuilder>? Metrics);
