using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace SyncGateway.Hosting;

internal static class TelemetryRegistration
{
    public const string DefaultServiceName = "sync-gateway";

    /// <summary>
    /// Traces and metrics through the OpenTelemetry SDK's host integration, configured by the standard <c>OTEL_*</c>
    /// variables: the gateway's own source and meter, MassTransit's, ASP.NET Core, HttpClient and the runtime.
    /// Exported over OTLP only when <see cref="TelemetryExport"/> says so; a Prometheus scrape endpoint when
    /// <c>Telemetry:PrometheusEndpoint</c> is on.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        var export = TelemetryExport.From(builder.Configuration);
        var options = builder.ReadOptions<TelemetryOptions>(TelemetryOptions.SectionName);
        builder.AddValidatedOptions<TelemetryOptions>(TelemetryOptions.SectionName);
        builder.Services.AddSyncTelemetry();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => ConfigureResource(resource, builder.Environment))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(SyncTelemetry.Name, MassTransitSource)
                    .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsHealthProbe(context))
                    .AddHttpClientInstrumentation();
                if (export.Traces)
                {
                    tracing.AddOtlpExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(SyncTelemetry.Name, MassTransitSource)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                if (export.Metrics)
                {
                    metrics.AddOtlpExporter();
                }
                if (options.PrometheusEndpoint)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        return builder;
    }

    /// <summary>The gateway's own <see cref="SyncTelemetry"/>, for every host that records it (the gateway, the import).</summary>
    public static IServiceCollection AddSyncTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<SyncTelemetry>();
        return services;
    }

    /// <summary><c>GET /metrics</c> in the Prometheus text format, when <c>Telemetry:PrometheusEndpoint</c> is on.</summary>
    public static IEndpointRouteBuilder MapPrometheusWhenEnabled(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<TelemetryOptions>>().Value.PrometheusEndpoint)
        {
            app.MapPrometheusScrapingEndpoint();
        }
        return app;
    }

    private const string MassTransitSource = "MassTransit";

    private static bool IsHealthProbe(HttpContext context)
        => context.Request.Path.StartsWithSegments(HealthEndpoints.BasePath, StringComparison.OrdinalIgnoreCase);

    // Later detectors win, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the defaults here.
    private static void ConfigureResource(ResourceBuilder resource, IHostEnvironment environment) => resource
        .Clear()
        .AddService(DefaultServiceName, serviceVersion: typeof(TelemetryRegistration).Assembly.GetName().Version?.ToString())
        .AddAttributes([new("deployment.environment.name", environment.EnvironmentName)])
        .AddTelemetrySdk()
        .AddEnvironmentVariableDetector();
}
