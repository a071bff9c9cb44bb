using RabbitMQ.Client;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Benchmarks.Load;

namespace SyncGateway.Benchmarks.Scenarios;

/// <summary>Intake of signed IM callbacks: the maximum (closed loop) and latency at half of it (open loop), with the gateway's memory.</summary>
internal sealed record IngressResult(
    int Clients,
    double MaxPerSecond,
    LatencySummary MaxLatency,
    long MaxFailed,
    CpuUsage MaxCpu,
    double HalfOfferedPerSecond,
    double HalfAcceptedPerSecond,
    LatencySummary HalfLatency,
    long HalfFailed,
    int EnvelopeBytes,
    MemoryResult Memory);

/// <summary>Resident set size of the gateway process, in bytes: after start-up, the highest sample and the median of the second half of the load.</summary>
internal sealed record MemoryResult(long IdleRss, long PeakRss, long SteadyRss, long KernelPeakRss, int Samples);

internal static class Ingress
{
    private static readonly string[] ImEventTypes =
    [
        "im.c2c.message.sent", "im.group.created", "im.group.dismissed", "im.group.profile.changed",
        "im.group.member.joined", "im.group.member.left", "im.group.message.sent",
    ];

    /// <summary>
    /// The production configuration: the relay consumes what the intake publishes and delivers it to the stub legacy
    /// system meanwhile, as it would in production. (<c>Sync__Paused</c> would isolate the intake, but on MassTransit
    /// 8.4 it does not stop the consumers: endpoints with consumers start regardless of <c>AutoStart</c>.)
    /// </summary>
    public static async Task<IngressResult> RunAsync(BenchRig rig, BenchmarkProfile profile, Func<long> next)
    {
        await using var gateway = await rig.StartGatewayAsync("ingress", profile.Clients);
        var traffic = new ImCallbackTraffic(gateway.Http, BenchRig.SdkAppId, BenchRig.CallbackToken);
        Task<bool> Send(long n, long _) => traffic.PostAsync(n);

        var idle = gateway.Process.Memory().Rss;
        using var sampler = new MemorySampler(gateway.Process);
        await LoadRunner.ClosedLoopAsync(profile.Clients, profile.Warmup, next, Send, null);

        var maxLatency = new Latencies();
        var cpu = CpuMeter.Start(gateway.Process.ProcessId);
        var max = await LoadRunner.ClosedLoopAsync(profile.Clients, profile.Measure, next, Send, maxLatency);
        var maxCpu = cpu.Stop();
        Console.WriteLine($"  ingress max: {max.AcceptedPerSecond:F0}/s ({max.Failed} failed)");

        var halfRate = max.AcceptedPerSecond * BenchmarkProfile.HalfLoad;
        var halfLatency = new Latencies();
        var half = await LoadRunner.OpenLoopAsync(halfRate, profile.Measure, 4 * profile.Clients, next, Send, halfLatency);
        Console.WriteLine($"  ingress at {halfRate:F0}/s: p99 {halfLatency.Summarise().P99:F1} ms ({half.Failed} failed)");
        var memory = sampler.Stop(idle);

        return new IngressResult(profile.Clients, max.AcceptedPerSecond, maxLatency.Summarise(), max.Failed, maxCpu,
            halfRate, half.AcceptedPerSecond, halfLatency.Summarise(), half.Failed, await EnvelopeBytesAsync(gateway, traffic, next), memory);
    }

    /// <summary>
    /// The mean size of what the gateway publishes for the callback mix, the size the broker limit uses: a probe queue
    /// bound to the seven exchanges (after the measured runs, so it costs them nothing) collects one mix's worth.
    /// </summary>
    private static async Task<int> EnvelopeBytesAsync(GatewayUnderTest gateway, ImCallbackTraffic traffic, Func<long> next)
    {
        var factory = new ConnectionFactory { Uri = BenchServices.RabbitMqIn(gateway.VirtualHost) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var probe = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var type in ImEventTypes)
        {
            await channel.QueueBindAsync(probe, "syncgw." + type, "");
        }
        var mix = ImCallbackTraffic.MixSize;
        for (var i = 0; i < mix; i++)
        {
            await traffic.PostAsync(next());
        }
        long total = 0;
        var count = 0;
        while (count < mix && await channel.BasicGetAsync(probe, autoAck: true) is { } message)
        {
            total += message.Body.Length;
            count++;
        }
        return count == 0 ? throw new InvalidOperationException("the probe queue received nothing to measure") : (int)(total / count);
    }

    /// <summary>Samples the gateway's RSS every 250 ms on its own thread.</summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly GatewayProcess _process;
        private readonly List<long> _samples = [];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private long _kernelPeak;

        public MemorySampler(GatewayProcess process)
        {
            _process = process;
            _loop = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
                try
                {
                    do
                    {
                        var (rss, peak) = _process.Memory();
                        lock (_samples)
                        {
                            _samples.Add(rss);
                            _kernelPeak = peak;
                        }
                    }
                    while (await timer.WaitForNextTickAsync(_stop.Token));
                }
                catch (OperationCanceledException)
                {
                    // Stopped.
                }
            });
        }

        public MemoryResult Stop(long idle)
        {
            _stop.Cancel();
            _loop.Wait();
            lock (_samples)
            {
                var secondHalf = _samples.Skip(_samples.Count / 2).Order().ToArray();
                return new MemoryResult(idle, _samples.Max(), secondHalf[secondHalf.Length / 2], _kernelPeak, _samples.Count);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }
}
