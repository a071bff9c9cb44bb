namespace SyncGateway.Hosting;

internal static class Observability
{
    /// <summary>
    /// Serilog logs to stdout, traces and metrics through OpenTelemetry (exported over OTLP only when configured by the
    /// <c>OTEL_*</c> variables). Call it first, so its listeners exist before any other service starts.
    /// </summary>
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
        => builder.AddLogs().AddTelemetry();
}
