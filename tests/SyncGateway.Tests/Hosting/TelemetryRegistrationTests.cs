using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SyncGateway.Messaging;
using SyncGateway.Fakes.Telemetry;
using SyncGateway.Hosting;

namespace SyncGateway.Tests.Hosting;

public sealed class TelemetryRegistrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Exports_gateway_spans_while_the_host_runs()
    {
        using var exporter = new CollectingExporter();
        using var host = Build(exporter);

        await host.StartAsync();
        using (SyncTelemetry.Source.StartActivity("hosted")) { }

        await exporter.WaitForAsync(a => a.DisplayName == "hosted", Timeout);
        await host.StopAsync();
    }

    [Fact]
    public async Task Flushes_pending_spans_and_shuts_the_exporter_down_when_the_host_is_disposed()
    {
        using var exporter = new CollectingExporter();
        // A batch that would wait an hour: only the shutdown can deliver the span.
        var host = Build(exporter, batch: true);
        await host.StartAsync();
        using (SyncTelemetry.Source.StartActivity("pending")) { }
        Assert.DoesNotContain(exporter.Exported, a => a.DisplayName == "pending");

        await host.StopAsync();
        host.Dispose();

        Assert.Contains(exporter.Exported, a => a.DisplayName == "pending");
        Assert.True(exporter.IsShutDown);
    }

    [Fact]
    public void Names_the_service_sync_gateway_unless_OTEL_SERVICE_NAME_says_otherwise()
    {
        using var exporter = new CollectingExporter();
        using var defaults = Build(exporter);
        using var named = Build(exporter, new() { ["OTEL_SERVICE_NAME"] = "gw-eu", ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment.name=staging" });

        var defaultResource = defaults.Services.GetRequiredService<TracerProvider>().GetResource();
        var namedResource = named.Services.GetRequiredService<TracerProvider>().GetResource();

        Assert.Equal("sync-gateway", Attribute(defaultResource, "service.name"));
        Assert.Equal("Test", Attribute(defaultResource, "deployment.environment.name"));
        Assert.Equal("gw-eu", Attribute(namedResource, "service.name"));
        Assert.Equal("staging", Attribute(namedResource, "deployment.environment.name"));
    }

    [Theory]
    [InlineData(true, HttpStatusCode.OK)]
    [InlineData(false, HttpStatusCode.NotFound)]
    public async Task Serves_Prometheus_metrics_only_when_the_endpoint_is_turned_on(bool enabled, HttpStatusCode expected)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Telemetry:PrometheusEndpoint"] = enabled.ToString() });
        builder.AddTelemetry();
        await using var app = builder.Build();
        app.MapPrometheusWhenEnabled();
        await app.StartAsync();
        app.Services.GetRequiredService<SyncTelemetry>().RecordReceived(RelayDirection.ImToLegacy, "im.c2c.message.sent");

        using var response = await app.GetTestClient().GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
        if (enabled)
        {
            Assert.Contains("syncgw_events_received", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    private static IHost Build(CollectingExporter exporter, Dictionary<string, string?>? settings = null, bool batch = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddTelemetry();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(batch
            ? new BatchActivityExportProcessor(exporter, scheduledDelayMilliseconds: 3_600_000)
            : new SimpleActivityExportProcessor(exporter)));
        return builder.Build();
    }

    private static object? Attribute(Resource resource, string name)
        => resource.Attributes.FirstOrDefault(attribute => attribute.Key == name).Value;
}
