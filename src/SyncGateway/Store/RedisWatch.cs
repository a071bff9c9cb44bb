using SyncGateway.Hosting;
using SyncGateway.Messaging;

namespace SyncGateway.Store;

/// <summary>
/// Pings Redis every five seconds for the health body and the <c>syncgw.dependency.up</c> gauge (with the broker's
/// state beside it), so neither waits on a Redis that hangs.
/// </summary>
internal sealed class RedisWatch : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private readonly IKeyValueStore _store;
    private volatile bool _up;

    public RedisWatch(IKeyValueStore store, BrokerState broker, SyncTelemetry telemetry)
    {
        _store = store;
        telemetry.ObserveDependencies(() => broker.Connected, () => _up);
    }

    /// <summary>Redis answered the last ping (false until the first one has).</summary>
    public bool Up => _up;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(PingTimeout);
                try
                {
                    _up = await _store.PingAsync(timeout.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    _up = false;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
