using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace SyncGateway.Hosting;

/// <summary>Where formatted log lines go: stdout unless a test registers another writer.</summary>
internal delegate LoggerConfiguration LogWriter(LoggerSinkConfiguration sinks, ITextFormatter formatter);

internal static class Logs
{
    private const string DevelopmentTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Serilog as the only logging provider. Levels come from the <c>Serilog</c> section
    /// (<c>Serilog__MinimumLevel__Default</c>, <c>Serilog__MinimumLevel__Override__&lt;Category&gt;</c>) over the
    /// defaults here. Development writes readable lines; every other environment one redacted JSON object per line
    /// with the trace and span ids.
    /// </summary>
    public static IHostApplicationBuilder AddLogs(this IHostApplicationBuilder builder)
    {
        // Serilog records the current trace and span ids itself (@tr, @sp); the scope copy would repeat them.
        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.None);
        // Several hosts share a process in tests and the import command: each keeps its own logger, not Log.Logger.
        builder.Services.AddSerilog(
            (services, logger) => Configure(
                logger,
                services.GetRequiredService<IConfiguration>(),
                services.GetRequiredService<IHostEnvironment>().IsDevelopment(),
                services.GetService<LogWriter>()),
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>
    /// One line per request (method, path without the query string, where IM puts its <c>Sign</c>; status; time);
    /// health probes at Debug. Call it first in the pipeline so it sees the final status.
    /// </summary>
    public static IApplicationBuilder UseRequestLogs(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<Serilog.ILogger>();
        return app.UseSerilogRequestLogging(options =>
        {
            options.Logger = logger;
            options.GetLevel = (context, _, exception) =>
                context.Request.Path.StartsWithSegments(HealthEndpoints.BasePath, StringComparison.OrdinalIgnoreCase) ? LogEventLevel.Debug
                : exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Warning
                : LogEventLevel.Information;
        });
    }

    public static LoggerConfiguration Configure(LoggerConfiguration logger, IConfiguration configuration, bool development, LogWriter? writeTo = null)
    {
        var redactor = LogRedactor.FromConfiguration(configuration);
        ITextFormatter formatter = development
            ? new RedactingFormatter(new MessageTemplateTextFormatter(DevelopmentTemplate), redactor)
            : new JsonLogFormatter(redactor);
        logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("MassTransit", LogEventLevel.Information)
            // IHttpClientFactory logs every request URI at Information; the gateway logs its own calls.
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            // The resilience handler logs every delivery attempt at Information: one more line per relayed event.
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            // The health service logs every check that is not healthy on every probe (several lines per probe per pod
            // during an outage); the spool and the consumers log the outage once, and the probe's body shows it.
            .MinimumLevel.Override("Microsoft.Extensions.Diagnostics.HealthChecks", LogEventLevel.Fatal)
            .ReadFrom.Configuration(configuration)
            // MassTransit writes a line per consumer per receive endpoint at start-up: 448 with 32 shards per direction.
            .Filter.ByExcluding(e => e.MessageTemplate.Text.StartsWith("Configured endpoint", StringComparison.Ordinal))
            .Enrich.FromLogContext();
        return (writeTo ?? WriteToConsoleInBackground)(logger.WriteTo, formatter);
    }

    // Formatting, redaction and the console's lock move to one background writer, off the request and consumer
    // threads (in the benchmark the synchronous sink was 17 % of the gateway's CPU, much of it lock contention).
    // A full buffer blocks the caller rather than dropping lines; disposing the logger drains the buffer.
    private static LoggerConfiguration WriteToConsoleInBackground(LoggerSinkConfiguration sinks, ITextFormatter formatter)
        => sinks.Async(background => background.Console(formatter), bufferSize: 10_000, blockWhenFull: true);

    /// <summary>Readable lines for a developer, passed through the same redactor as the JSON ones.</summary>
    private sealed class RedactingFormatter(ITextFormatter inner, LogRedactor redactor) : ITextFormatter
    {
        public void Format(LogEvent logEvent, TextWriter output)
        {
            var redacted = new LogEvent(
                logEvent.Timestamp,
                logEvent.Level,
                logEvent.Exception,
                logEvent.MessageTemplate,
                logEvent.Properties.Select(property => new LogEventProperty(property.Key, redactor.Redact(property.Key, property.Value))),
                logEvent.TraceId ?? default,
                logEvent.SpanId ?? default);
            using var line = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
            inner.Format(redacted, line);
            output.Write(redactor.Scrub(line.ToString()));
        }
    }
}
