using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Benchmarks.Load;

namespace SyncGateway.Benchmarks.Scenarios;

/// <summary>The broker's own ceiling: raw publishes of persistent messages with publisher confirms to a durable queue.</summary>
internal sealed record BrokerLimitResult(int Publishers, int Channels, int MessageBytes, double MessagesPerSecond, LatencySummary Latency, long Failed, CpuUsage Cpu);

internal static class BrokerLimit
{
    private const string Queue = "bench.limit";

    /// <summary>
    /// <paramref name="publishers"/> concurrent publishers, each waiting for the confirm of its message before the next,
    /// as the gateway's intake does (one callback, one confirmed publish). Tried on one shared channel and on a
    /// channel per publisher; the faster is the limit.
    /// </summary>
    public static async Task<BrokerLimitResult> RunAsync(BenchmarkProfile profile, int publishers, int messageBytes)
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
        return best!;
    }

    private static async Task<BrokerLimitResult> RunOnceAsync(BenchmarkProfile profile, int publishers, int channelCount, int messageBytes)
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
            await channels[0].QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false);
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

            await LoadRunner.ClosedLoopAsync(publishers, profile.Warmup, () => Interlocked.Increment(ref sequence), Publish, null);
            var latencies = new Latencies();
            var cpu = CpuMeter.Start();
            var result = await LoadRunner.ClosedLoopAsync(publishers, profile.Measure, () => Interlocked.Increment(ref sequence), Publish, latencies);
            var used = cpu.Stop();
            foreach (var channel in channels)
            {
                await channel.DisposeAsync();
            }
            return new BrokerLimitResult(publishers, channelCount, messageBytes, result.AcceptedPerSecond, latencies.Summarise(), result.Failed, used);
        }
        finally
        {
            await BenchServices.DeleteVirtualHostAsync(vhost);
        }
    }
}
