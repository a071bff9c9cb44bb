using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SyncGateway.Fakes.Telemetry;
using SyncGateway.Hosting;

namespace SyncGateway.Tests.Hosting;

public sealed class TelemetryProvidersTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Builds_the_providers_when_the_host_starts_and_exports_gateway_spans()
    {
        using var exporter = new CollectingExporter();
        using var providers = Providers(exporter);

        using (SyncTelemetry.Source.StartActivity("before-start")) { }
        Assert.Null(providers.TracerProvider);

        await providers.StartingAsync(CancellationToken.None);
        using (SyncTelemetry.Source.StartActivity("after-start")) { }

        Assert.NotNull(providers.TracerProvider);
        Assert.NotNull(providers.MeterProvider);
        await exporter.WaitForAsync(a => a.DisplayName == "after-start", Timeout);
        Assert.DoesNotContain(exporter.Exported, a => a.DisplayName == "before-start");
    }

    [Fact]
    public async Task Flushes_pending_spans_and_shuts_the_exporter_down_when_the_host_has_stopped()
    {
        using var exporter = new CollectingExporter();
        // A batch that would wait an hour: only the shutdown at stop can deliver the span.
        using var providers = Providers(exporter, batch: true);
        await providers.StartingAsync(CancellationToken.None);
        using (SyncTelemetry.Source.StartActivity("pending")) { }
        Assert.Empty(exporter.Exported);

        await providers.StoppedAsync(CancellationToken.None);

        Assert.Contains(exporter.Exported, a => a.DisplayName == "pending");
        Assert.True(exporter.IsShutDown);
        Assert.Null(providers.TracerProvider);
        Assert.Null(providers.MeterProvider);
    }

    [Fact]
    public async Task Names_the_service_sync_gateway_unless_OTEL_SERVICE_NAME_says_otherwise()
    {
        using var exporter = new CollectingExporter();
        using var defaults = Providers(exporter);
        using var named = Providers(exporter, new() { ["OTEL_SERVICE_NAME"] = "gw-eu", ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment.name=staging" });

        await defaults.StartingAsync(CancellationToken.None);
        await named.StartingAsync(CancellationToken.None);

        Assert.Equal("sync-gateway", Attribute(defaults.TracerProvider!.GetResource(), "service.name"));
        Assert.Equal("Test", Attribute(defaults.TracerProvider!.GetResource(), "deployment.environment.name"));
        Assert.Equal("gw-eu", Attribute(named.TracerProvider!.GetResource(), "service.name"));
        Assert.Equal("staging", Attribute(named.TracerProvider!.GetResource(), "deployment.environment.name"));
    }

    [Fact]
    public async Task Adding_the_providers_to_a_host_starts_and_stops_them_with_it()
    {
        using var exporter = new CollectingExporter();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.AddTelemetry();
        builder.Services.ConfigureTracing(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(exporter)));
        using var host = builder.Build();

        await host.StartAsync();
        using (SyncTelemetry.Source.StartActivity("hosted")) { }
        await exporter.WaitForAsync(a => a.DisplayName == "hosted", Timeout);
        await host.StopAsync();

        Assert.True(exporter.IsShutDown);
    }

    private static TelemetryProviders Providers(
        CollectingExporter exporter,
        Dictionary<string, string?>? settings = null,
        bool batch = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        BaseProcessor<Activity> processor = batch
            ? new BatchActivityExportProcessor(exporter, scheduledDelayMilliseconds: 3_600_000)
            : new SimpleActivityExportProcessor(exporter);
        return new TelemetryProviders(
            configuration,
            new HostingEnvironment { EnvironmentName = "Test" },
            [new TelemetryCustomization(tracing => tracing.AddProcessor(processor), null)]);
    }

    private static object? Attribute(Resource resource, string name)
        => resource.Attributes.FirstOrDefault(attribute => attribute.Key == name).Value;
}
