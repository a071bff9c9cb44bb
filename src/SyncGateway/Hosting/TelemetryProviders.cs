using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace SyncGateway.Hosting;

/// <summary>
/// Owns the tracer and meter providers for the host's lifetime (OpenTelemetry.Extensions.Hosting is not available).
/// Building in <see cref="StartingAsync"/> puts the listeners in place before the bus or the server start; disposing in
/// <see cref="StoppedAsync"/> exports what the stopping services wrote last.
/// </summary>
internal sealed class TelemetryProviders(
    IConfiguration configuration,
    IHostEnvironment environment,
    IEnumerable<TelemetryCustomization> customizations) : IHostedLifecycleService, IDisposable
{
    public const string DefaultServiceName = "sync-gateway";

    private readonly Lock _gate = new();
    private TracerProvider? _tracerProvider;
    private MeterProvider? _meterProvider;

    public TracerProvider? TracerProvider => _tracerProvider;

    public MeterProvider? MeterProvider => _meterProvider;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var export = TelemetryExport.From(configuration);
        lock (_gate)
        {
            _tracerProvider ??= BuildTracerProvider(export.Traces);
            _meterProvider ??= BuildMeterProvider(export.Metrics);
        }
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Shuts both providers down, which flushes their exporters.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _tracerProvider?.Dispose();
            _meterProvider?.Dispose();
            _tracerProvider = null;
            _meterProvider = null;
        }
    }

    private TracerProvider BuildTracerProvider(bool exportOtlp)
    {
        var builder = Sdk.CreateTracerProviderBuilder()
            .ConfigureServices(UseHostConfiguration)
            .ConfigureResource(ConfigureResource)
            .AddSource([.. TelemetryRegistration.TraceSources]);
        if (exportOtlp)
        {
            builder.AddOtlpExporter();
        }
        foreach (var customization in customizations)
        {
            customization.Tracing?.Invoke(builder);
        }
        return builder.Build();
    }

    private MeterProvider BuildMeterProvider(bool exportOtlp)
    {
        var builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureServices(UseHostConfiguration)
            .ConfigureResource(ConfigureResource)
            .AddMeter([.. TelemetryRegistration.Meters]);
        if (exportOtlp)
        {
            builder.AddOtlpExporter();
        }
        foreach (var customization in customizations)
        {
            customization.Metrics?.Invoke(builder);
        }
        return builder.Build();
    }

    // The SDK reads OTEL_* from the IConfiguration in its own container; give it the host's, which includes the
    // environment and anything a test or appsettings adds.
    private void UseHostConfiguration(IServiceCollection services) => services.AddSingleton(configuration);

    // Later detectors win, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override the defaults here.
    private void ConfigureResource(ResourceBuilder resource) => resource
        .Clear()
        .AddService(DefaultServiceName, serviceVersion: typeof(TelemetryProviders).Assembly.GetName().Version?.ToString())
        .AddAttributes([new("deployment.environment.name", environment.EnvironmentName)])
        .AddTelemetrySdk()
        .AddEnvironmentVariableDetector();
}
