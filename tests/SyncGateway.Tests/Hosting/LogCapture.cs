using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using LoggerConfiguration = Serilog.LoggerConfiguration;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting;
using SyncGateway.Hosting;

namespace SyncGateway.Tests.Hosting;

/// <summary>The production logger (levels, JSON formatter, redaction) writing to memory instead of stdout.</summary>
internal sealed class LogCapture : IDisposable
{
    private readonly StringWriter _output = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _written = new(0);
    private readonly SerilogLoggerProvider _provider;

    public LogCapture(Dictionary<string, string?>? settings = null, bool development = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        Writer = (sinks, formatter) => sinks.Sink(new Sink(formatter, this));
        _provider = new SerilogLoggerProvider(
            Logs.Configure(new LoggerConfiguration(), configuration, development, Writer).CreateLogger(),
            dispose: true);
    }

    /// <summary>Registered in a host, its logger writes here instead of stdout.</summary>
    public LogWriter Writer { get; }

    public ILogger CreateLogger(string category) => _provider.CreateLogger(category);

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

    /// <summary>Every line parsed as JSON; fails the test if one is not.</summary>
    public IReadOnlyList<JsonElement> Events => [.. Lines.Select(line => JsonDocument.Parse(line).RootElement.Clone())];

    /// <summary>Waits for a line matching <paramref name="match"/>: the host may log after the client has its response.</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (Events.FirstOrDefault(match) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }
            try
            {
                await _written.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching log line; captured:\n{Text}");
            }
        }
    }

    public void Dispose()
    {
        _provider.Dispose();
        _written.Dispose();
        _output.Dispose();
    }

    private sealed class Sink(ITextFormatter formatter, LogCapture capture) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            lock (capture._gate)
            {
                formatter.Format(logEvent, capture._output);
            }
            capture._written.Release();
        }
    }
}
