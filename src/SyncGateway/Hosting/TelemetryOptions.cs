namespace SyncGateway.Hosting;

/// <summary>Section <c>Telemetry</c>: what the standard <c>OTEL_*</c> variables do not cover.</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>
    /// Serve metrics at <c>GET /metrics</c> in the Prometheus text format (<c>Telemetry__PrometheusEndpoint</c>),
    /// beside or instead of OTLP. The exporter package is a beta.
    /// </summary>
    public bool PrometheusEndpoint { get; set; }
}
