using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Benchmarks.Load;

namespace SyncGateway.Benchmarks.Scenarios;

/// <summary>
/// The broker's own ceiling: raw publishes of persistent messages with publisher confirms to a durable queue.
/// <see cref="OfferedPerSecond"/> is set on an open-loop run at a fixed rate (<see cref="AtIntakeHalfLoad"/>): the
/// broker's own latency at the rate the gateway's half-load latency is measured, the floor under that figure.
/// </summary>
internal sealed record BrokerLimitResult(
    int Publishers, int Channels, int MessageBytes, double MessagesPerSecond, LatencySummary Latency, long Failed, CpuUsage Cpu, double? OfferedPerSecond = null)
{
    public BrokerLimitResult? AtIntakeHalfLoad { get; init; }
}

internal static class BrokerLimit
{
    private const string Queue = "bench.limit";

    /// <summary>
    /// <paramref name="publishers"/> concurrent publishers, each waiting for the confirm of its message before the next,
    /// as the gateway's intake does (one callback, one confirmed publish). Tried on one shared channel and on a
    /// channel per publisher; the faster is the limit. With <paramref name="intakeHalfLoad"/>, the faster setup is
    /// then also run open loop at that rate.
    /// </summary>
    public static async Task<BrokerLimitResult> RunAsync(BenchmarkProfile profile, int publishers, int messageBytes, double? intakeHalfLoad)
    {
        BrokerLimitResult? best = null;
        foreach (var channels in new[] { 1, publishers })
        {
            var result = await RunOnceAsync(profile, publishers, channels, messageBytes);
            Console.WriteLine($"  limit with {channels} channel(s): {result.MessagesPerSecond:F0} msg/s, p99 {result.Latency.P99:F1} ms");
            if (best is null || result.MessagesPerSecond > best.MessagesPerSecond)
            {
                best = result;
            }
        }
        if (intakeHalfLoad is { } rate)
        {
            var atRate = await RunOnceAsync(profile, publishers, best!.Channels, messageBytes, rate);
            Console.WriteLine($"  broker at {rate:F0}/s: p99 {atRate.Latency.P99:F1} ms");
            best = best with { AtIntakeHalfLoad = atRate };
        }
        return best!;
    }

    private static async Task<BrokerLimitResult> RunOnceAsync(BenchmarkProfile profile, int publishers, int channelCount, int messageBytes, double? perSecond = null)
    {
        var vhost = await BenchServices.CreateVirtualHostAsync("limit");
        try
        {
            var factory = new ConnectionFactory { Uri = BenchServices.RabbitMqIn(vhost) };
            await using var connection = await factory.CreateConnectionAsync();
            var options = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
            var channels = new List<IChannel>();
            for (var i = 0; i < channelCount; i++)
            {
                channels.Add(await connection.CreateChannelAsync(options));
            }
            // Declared like the gateway's relay queues (RabbitMq:ClassicQueueVersion defaults to 2).
            await channels[0].QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { ["x-queue-version"] = 2 });
            var body = new byte[messageBytes];
            Array.Fill(body, (byte)'x');
            var properties = new BasicProperties { Persistent = true, ContentType = "application/vnd.masstransit+json" };
            long sequence = 0;
            async Task<bool> Publish(long n, long _)
            {
                var channel = channels[(int)(n % channels.Count)];
                try
                {
                    await channel.BasicPublishAsync("", Queue, mandatory: true, properties, body);
                    return true;
                }
                catch (PublishException)
                {
                    return false;
                }
            }

            Task<LoadResult> Run(TimeSpan duration, Latencies? latencies) => perSecond is { } rate
                ? LoadRunner.OpenLoopAsync(rate, duration, 4 * publishers, () => Interlocked.Increment(ref sequence), Publish, latencies)
                : LoadRunner.ClosedLoopAsync(publishers, duration, () => Interlocked.Increment(ref sequence), Publish, latencies);

            // The gateway's long warm-up is for its JIT; here only this process's client code and the queue need it.
            await Run(TimeSpan.FromSeconds(Math.Min(profile.Warmup.TotalSeconds, 5)), null);
            var latencies = new Latencies();
            var cpu = CpuMeter.Start();
            var result = await Run(profile.Measure, latencies);
            var used = cpu.Stop();
            foreach (var channel in channels)
            {
                await channel.DisposeAsync();
            }
            return new BrokerLimitResult(publishers, channelCount, messageBytes, result.AcceptedPerSecond, latencies.Summarise(), result.Failed, used, perSecond);
        }
        finally
        {
            await BenchServices.DeleteVirtualHostAsync(vhost);
        }
    }
}
