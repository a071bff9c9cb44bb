using Microsoft.Extensions.Configuration;
using SyncGateway.Hosting;

namespace SyncGateway.Tests.Hosting;

public sealed class TelemetryExportTests
{
    [Fact]
    public void Exports_nothing_when_no_endpoint_or_exporter_is_configured()
        => Assert.Equal(new TelemetryExport(false, false), Export([]));

    [Fact]
    public void Exports_traces_and_metrics_when_the_OTLP_endpoint_is_set()
        => Assert.Equal(new TelemetryExport(true, true), Export(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317" }));

    [Fact]
    public void Honours_the_per_signal_exporter_choice()
    {
        Assert.Equal(new TelemetryExport(true, false), Export(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://c:4317", ["OTEL_METRICS_EXPORTER"] = "none" }));
        Assert.Equal(new TelemetryExport(false, true), Export(new() { ["OTEL_METRICS_EXPORTER"] = "otlp" }));
        Assert.Equal(new TelemetryExport(true, false), Export(new() { ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://c:4318/v1/traces" }));
    }

    [Fact]
    public void OTEL_SDK_DISABLED_turns_every_export_off()
        => Assert.Equal(new TelemetryExport(false, false), Export(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://c:4317", ["OTEL_SDK_DISABLED"] = "true" }));

    [Fact]
    public void Names_the_variable_when_an_exporter_is_not_supported()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Export(new() { ["OTEL_TRACES_EXPORTER"] = "zipkin" }));

        Assert.Contains("OTEL_TRACES_EXPORTER 'zipkin'", error.Message, StringComparison.Ordinal);
    }

    private static TelemetryExport Export(Dictionary<string, string?> settings)
        => TelemetryExport.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
}
