using Serilog;
using Serilog.Configuration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting;

namespace SyncGateway.Hosting;

internal static class StructuredLogging
{
    /// <summary>
    /// Replaces the default providers with Serilog writing redacted JSON lines to stdout. Minimum levels come from the
    /// <c>Serilog</c> section (<c>Serilog__MinimumLevel__Default</c>, <c>Serilog__MinimumLevel__Override__&lt;Category&gt;</c>)
    /// over the defaults here. The logger is built from the final configuration when the host resolves it.
    /// </summary>
    public static IHostApplicationBuilder AddStructuredLogging(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        // Serilog records the current trace and span ids itself (@tr, @sp); the scope copy would repeat them.
        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.None);
        // Serilog's own levels decide; Microsoft.Extensions.Logging filtering must not drop events before it.
        builder.Logging.AddFilter<SerilogLoggerProvider>(null, LogLevel.Trace);
        builder.Services.AddSingleton<ILoggerProvider>(services =>
            new SerilogLoggerProvider(CreateLogger(services.GetRequiredService<IConfiguration>()), dispose: true));
        return builder;
    }

    public static Logger CreateLogger(
        IConfiguration configuration,
        Func<LoggerSinkConfiguration, ITextFormatter, LoggerConfiguration>? writeTo = null)
    {
        var formatter = new JsonLogFormatter(LogRedactor.FromConfiguration(configuration));
        var logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("MassTransit", LogEventLevel.Information)
            // IHttpClientFactory logs every request URI at Information; the gateway logs its own calls.
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .ReadFrom.Configuration(configuration)
            // MassTransit writes a line per consumer per receive endpoint at start-up: 448 with 32 shards per direction.
            .Filter.ByExcluding(e => e.MessageTemplate.Text.StartsWith("Configured endpoint", StringComparison.Ordinal))
            .Enrich.FromLogContext();
        return (writeTo ?? WriteToConsoleInBackground)(logger.WriteTo, formatter).CreateLogger();
    }

    // Formatting, redaction and the console's lock move to one background writer, off the request and consumer
    // threads (in the benchmark the synchronous sink was 17 % of the gateway's CPU, much of it lock contention).
    // A full buffer blocks the caller rather than dropping lines; disposing the logger drains the buffer.
    private static LoggerConfiguration WriteToConsoleInBackground(LoggerSinkConfiguration sinks, ITextFormatter json)
        => sinks.Async(background => background.Console(json), bufferSize: 10_000, blockWhenFull: true);
}
