using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SyncGateway.Hosting;
using SyncGateway.Messaging;

namespace SyncGateway.Tests.Deployment;

/// <summary>The dashboard and the alert rules name only metrics the gateway exports, under the names Prometheus sees.</summary>
public sealed partial class MonitoringTests
{
    private static readonly string Root = RepositoryFiles.Root;

    [Fact]
    public async Task Every_metric_the_dashboard_and_the_alert_rules_name_is_one_the_gateway_exports()
    {
        var exported = await ExportedNamesAsync();
        var dashboard = File.ReadAllText(Path.Combine(Root, "deploy", "grafana", "sync-gateway-dashboard.json"));
        var rules = File.ReadAllText(Path.Combine(Root, "helm", "sync-gateway", "templates", "prometheusrule.yaml"));

        var named = MetricName().Matches(dashboard + rules).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);

        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.True(exported.Contains(name), $"{name} is not exported; exported: {string.Join(", ", exported.Order(StringComparer.Ordinal))}"));
    }

    [Fact]
    public void The_dashboard_shows_each_direction_s_intake_relay_latency_spool_faults_and_parked_conversations()
    {
        var dashboard = File.ReadAllText(Path.Combine(Root, "deploy", "grafana", "sync-gateway-dashboard.json"));

        Assert.All(["syncgw_events_received_total", "syncgw_events_outcome_total", "syncgw_relay_latency_seconds_bucket", "syncgw_spool_depth",
            "syncgw_spool_oldest_age_seconds", "sync_outcome=\\\"faulted\\\"", "by (sync_direction", "syncgw_parked_conversations",
            "syncgw_parked_oldest_age_seconds", "syncgw_faults_open", "syncgw_faults_actions_total"], part => Assert.Contains(part, dashboard, StringComparison.Ordinal));
    }

    /// <summary>The metric names in a Prometheus scrape of a gateway host that recorded once into each of its instruments.</summary>
    private static async Task<HashSet<string>> ExportedNamesAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Telemetry:PrometheusEndpoint"] = "true" });
        builder.AddTelemetry();
        await using var app = builder.Build();
        app.MapPrometheusWhenEnabled();
        await app.StartAsync();
        var telemetry = app.Services.GetRequiredService<SyncTelemetry>();
        foreach (var direction in new[] { RelayDirection.ImToLegacy, RelayDirection.LegacyToIm })
        {
            telemetry.RecordReceived(direction, "im.c2c.message.sent");
            telemetry.RecordOutcome(direction, "im.c2c.message.sent", SyncTelemetry.Outcomes.Faulted, "test");
            telemetry.RecordRelayLatency(direction, "im.c2c.message.sent", TimeSpan.FromMilliseconds(20));
            telemetry.RecordSpooled(direction);
            telemetry.RecordSpoolForwarded(direction);
            telemetry.RecordSpoolRefused(direction);
            telemetry.RecordFaultAction(direction, "replayed");
        }
        telemetry.RecordImCall("openim/sendmsg", 0);
        telemetry.RecordRateLimiterWait("openim/sendmsg", TimeSpan.FromMilliseconds(5));
        telemetry.RecordRepair("group", "repaired");
        telemetry.ObserveSpool(() => 1, () => 100, () => TimeSpan.FromSeconds(3));
        telemetry.ObserveDependencies(() => true, () => true);
        telemetry.ObserveParking(() => [new ParkingCounts(RelayDirection.ImToLegacy, 1, 2, DateTimeOffset.UtcNow.AddMinutes(-1))]);
        telemetry.ObserveFaults(() => [(RelayDirection.ImToLegacy, 3L)]);

        using var response = await app.GetTestClient().GetAsync(new Uri("/metrics", UriKind.Relative));
        var scrape = await response.Content.ReadAsStringAsync();
        return [.. scrape.Split('\n').Where(l => l.StartsWith("syncgw_", StringComparison.Ordinal)).Select(l => MetricName().Match(l).Value)];
    }

    [GeneratedRegex("syncgw_[a-z0-9_]+")]
    private static partial Regex MetricName();
}
