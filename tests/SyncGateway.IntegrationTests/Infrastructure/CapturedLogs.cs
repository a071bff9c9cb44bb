using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;
using SyncGateway.Hosting;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The host's own logger (levels, JSON formatter and redaction built from the host's configuration) writing the
/// lines it would write to stdout into memory instead. Pass <see cref="Capture"/> as <c>GatewayHost.StartAsync</c>'s services.
/// </summary>
internal sealed class CapturedLogs
{
    private readonly StringWriter _output = new();
    private readonly Lock _gate = new();

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _output.ToString();
            }
        }
    }

    public IReadOnlyList<string> Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Capture(IServiceCollection services)
        => services.AddSingleton<LogWriter>((sinks, formatter) => sinks.Sink(new Sink(formatter, this)));

    /// <summary>Every line parsed as JSON; throws on the first one that is not.</summary>
    public IReadOnlyList<JsonElement> Events => [.. Lines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    private sealed class Sink(ITextFormatter formatter, CapturedLogs logs) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            lock (logs._gate)
            {
                formatter.Format(logEvent, logs._output);
            }
        }
    }
}
