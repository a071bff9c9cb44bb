using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SyncGateway.Hosting;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Counts the gateway's <c>syncgw.events.outcome</c> measurements by direction and outcome, from creation on.
/// Integration tests run one at a time (xunit.runner.json), so the counts are this test's.
/// </summary>
internal sealed class OutcomeCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Direction, string Outcome), long> _counts = new();

    public OutcomeCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SyncTelemetry.Name && instrument.Name == "syncgw.events.outcome")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? direction = null, outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == SyncTelemetry.Tags.Direction) direction = tag.Value as string;
                if (tag.Key == SyncTelemetry.Tags.Outcome) outcome = tag.Value as string;
            }
            if (direction is not null && outcome is not null)
            {
                _counts.AddOrUpdate((direction, outcome), value, (_, current) => current + value);
            }
        });
        _listener.Start();
    }

    public long this[string direction, string outcome] => _counts.GetValueOrDefault((direction, outcome));

    /// <summary>Every outcome counted so far, of any direction and kind.</summary>
    public long Total => _counts.Values.Sum();

    public Task WaitForAsync(string direction, string outcome, long atLeast, TimeSpan timeout)
        => Eventually.AssertAsync(() => Task.FromResult(this[direction, outcome] >= atLeast), timeout,
            $"{atLeast} × {outcome} in {direction} (saw {this[direction, outcome]})");

    public void Dispose() => _listener.Dispose();
}
