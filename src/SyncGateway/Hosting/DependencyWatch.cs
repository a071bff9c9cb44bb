using MassTransit;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.Hosting;

/// <summary>
/// Watches the broker (the bus's own health, four times a second: cheap, in-process) and Redis (a ping every five
/// seconds) for <see cref="BrokerState"/>, the health body and the <c>syncgw.dependency.up</c> gauge.
/// </summary>
internal sealed class DependencyWatch(IBusControl bus, BrokerState broker, IKeyValueStore store, SyncTelemetry telemetry) : BackgroundService
{
    private static readonly TimeSpan BusInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan RedisInterval = TimeSpan.FromSeconds(5);
    private volatile bool _redisUp = true;

    public bool RedisUp => _redisUp;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        telemetry.ObserveDependencies(() => broker.Connected, () => _redisUp);
        var nextPing = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            broker.BusHealth(bus.CheckHealth().Status == BusHealthStatus.Healthy);
            if (DateTimeOffset.UtcNow >= nextPing)
            {
                nextPing = DateTimeOffset.UtcNow + RedisInterval;
                _ = PingRedisAsync(stoppingToken);
            }
            try
            {
                await Task.Delay(BusInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // Not awaited by the loop: a Redis that hangs must not stall the broker's watch.
    private async Task PingRedisAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            _redisUp = await store.PingAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            _redisUp = false;
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
