namespace SyncGateway.Hosting;

/// <summary>
/// Which signals go to the OTLP exporter. Unlike the OpenTelemetry default, nothing is exported unless an endpoint is
/// configured or <c>OTEL_TRACES_EXPORTER</c>/<c>OTEL_METRICS_EXPORTER</c> says <c>otlp</c>, so a bare
/// <c>dotnet run</c> does not retry a collector that is not there.
/// </summary>
internal sealed record TelemetryExport(bool Traces, bool Metrics)
{
    public static TelemetryExport From(IConfiguration configuration)
    {
        if (bool.TryParse(configuration["OTEL_SDK_DISABLED"], out var disabled) && disabled)
        {
            return new(false, false);
        }
        var endpoint = IsSet(configuration, "OTEL_EXPORTER_OTLP_ENDPOINT");
        return new(
            Decide(configuration, "OTEL_TRACES_EXPORTER", endpoint || IsSet(configuration, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")),
            Decide(configuration, "OTEL_METRICS_EXPORTER", endpoint || IsSet(configuration, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")));
    }

    private static bool IsSet(IConfiguration configuration, string key) => !string.IsNullOrWhiteSpace(configuration[key]);

    private static bool Decide(IConfiguration configuration, string key, bool endpointConfigured)
        => configuration[key]?.Trim().ToUpperInvariant() switch
        {
            null or "" => endpointConfigured,
            "OTLP" => true,
            "NONE" => false,
            _ => throw new InvalidOperationException($"{key} '{configuration[key]}' is not supported: use otlp or none."),
        };
}
