using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Benchmarks.Load;

namespace SyncGateway.Benchmarks.Scenarios;

/// <summary>
/// The broker's own ceiling: raw publishes of persistent messages with publisher confirms to a durable queue.
/// <see cref="Spread"/>: the same publishes spread over as many queues as the gateway's relay queues towards legacy,
/// which is what the broker does for the intake. <see cref="OfferedPerSecond"/> is set on an open-loop run at a fixed
/// rate (<see cref="AtIntakeHalfLoad"/>, spread like the intake): the broker's own latency at the rate the gateway's
/// half-load latency is measured, the floor under that figure.
/// </summary>
internal sealed record BrokerLimitResult(
    int Publishers, int Channels, int Queues, int MessageBytes, double MessagesPerSecond, LatencySummary Latency, long Failed, CpuUsage Cpu, bool Quorum, double? OfferedPerSecond = null)
{
    public BrokerLimitResult? Spread { get; init; }

    public BrokerLimitResult? AtIntakeHalfLoad { get; init; }
}

internal static class BrokerLimit
{
    private const string QueuePrefix = "bench.limit.";

    /// <summary>
    /// <paramref name="publishers"/> concurrent publishers, each waiting for the confirm of its message before the next,
    /// as the gateway's intake does (one callback, one confirmed publish). Tried on one shared channel and on a
    /// channel per publisher; the faster is the limit, and its setup is then run spread over
    /// <paramref name="relayQueues"/> queues, and with <paramref name="intakeHalfLoad"/> open loop at that rate, spread.
    /// </summary>
    public static async Task<BrokerLimitResult> RunAsync(BenchmarkProfile profile, int publishers, int messageBytes, int relayQueues, double? intakeHalfLoad, bool quorum)
    {
        BrokerLimitResult? best = null;
        foreach (var channels in new[] { 1, publishers })
        {
            var result = await RunOnceAsync(profile, publishers, channels, queues: 1, messageBytes, quorum);
            Console.WriteLine($"  limit with {channels} channel(s): {result.MessagesPerSecond:F0} msg/s, p99 {result.Latency.P99:F1} ms");
            if (best is null || result.MessagesPerSecond > best.MessagesPerSecond)
            {
                best = result;
            }
        }
        var spread = await RunOnceAsync(profile, publishers, best!.Channels, relayQueues, messageBytes, quorum);
        Console.WriteLine($"  limit spread over {relayQueues} queues: {spread.MessagesPerSecond:F0} msg/s, p99 {spread.Latency.P99:F1} ms");
        best = best with { Spread = spread };
        if (intakeHalfLoad is { } rate)
        {
            var atRate = await RunOnceAsync(profile, publishers, best.Channels, relayQueues, messageBytes, quorum, rate);
            Console.WriteLine($"  broker at {rate:F0}/s over {relayQueues} queues: p99 {atRate.Latency.P99:F1} ms");
            best = best with { AtIntakeHalfLoad = atRate };
        }
        return best;
    }

    private static async Task<BrokerLimitResult> RunOnceAsync(
        BenchmarkProfile profile, int publishers, int channelCount, int queues, int messageBytes, bool quorum, double? perSecond = null)
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
            // Declared like the gateway's relay queues (RabbitMq:ClassicQueueVersion defaults to 2; quorum queues'
            // delivery limit and dead-lettering do not touch a publish).
            var arguments = quorum
                ? new Dictionary<string, object?> { ["x-queue-type"] = "quorum", ["x-single-active-consumer"] = true }
                : new Dictionary<string, object?> { ["x-queue-version"] = 2, ["x-single-active-consumer"] = true };
            for (var q = 0; q < queues; q++)
            {
                await channels[0].QueueDeclareAsync(QueuePrefix + q, durable: true, exclusive: false, autoDelete: false, arguments: arguments);
            }
            var body = new byte[messageBytes];
            Array.Fill(body, (byte)'x');
            var properties = new BasicProperties { Persistent = true, ContentType = "application/vnd.masstransit+json" };
            long sequence = 0;
            async Task<bool> Publish(long n, long _)
            {
                var channel = channels[(int)(n % channels.Count)];
                try
                {
                    await channel.BasicPublishAsync("", QueuePrefix + (n % queues), mandatory: true, properties, body);
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
            return new BrokerLimitResult(publishers, channelCount, queues, messageBytes, result.AcceptedPerSecond, latencies.Summarise(), result.Failed, used, quorum, perSecond);
        }
        finally
        {
            await BenchServices.DeleteVirtualHostAsync(vhost);
        }
    }
}
