using MassTransit;

namespace SyncGateway.Messaging;

/// <summary>
/// Asks the bus four times a second whether it is connected with every receive endpoint running (in-process and
/// cheap) and tells <see cref="BrokerState"/>.
/// </summary>
internal sealed class BusWatch(IBusControl bus, BrokerState broker) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            broker.BusHealth(IsConnected(bus));
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    /// <summary>Connected with every receive endpoint running: what <see cref="BrokerState.Connected"/> means.</summary>
    public static bool IsConnected(IBusControl bus) => bus.CheckHealth().Status == BusHealthStatus.Healthy;

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
