using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;

namespace SyncGateway.Fakes.Telemetry;

/// <summary>
/// An in-memory span exporter (OpenTelemetry.Exporter.InMemory is not available): collects and lets a test wait.
/// Add it with a <see cref="SimpleActivityExportProcessor"/> so each span arrives as it ends.
/// </summary>
public sealed class CollectingExporter : BaseExporter<Activity>
{
    private readonly ConcurrentQueue<Activity> _exported = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public IReadOnlyCollection<Activity> Exported => _exported;

    public bool IsShutDown { get; private set; }

    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var activity in batch)
        {
            _exported.Enqueue(activity);
            _arrived.Release();
        }
        return ExportResult.Success;
    }

    public async Task<Activity> WaitForAsync(Func<Activity, bool> match, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            if (_exported.FirstOrDefault(match) is { } found)
            {
                return found;
            }
            try
            {
                await _arrived.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching span within {timeout}; exported: {string.Join(", ", _exported.Select(a => a.DisplayName))}");
            }
        }
    }

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        IsShutDown = true;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _arrived.Dispose();
        }
        base.Dispose(disposing);
    }
}
