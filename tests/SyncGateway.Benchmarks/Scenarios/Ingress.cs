using RabbitMQ.Client;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Benchmarks.Load;

namespace SyncGateway.Benchmarks.Scenarios;

/// <summary>
/// Intake of signed IM callbacks, measured twice: on a gateway whose relay is held (<c>Sync__Paused=true</c>), which is
/// the figure to compare with the broker limit (that run has no consumers either), and on a gateway in its full
/// production configuration, whose relay delivers everything to the stub legacy system on the same cores meanwhile.
/// <see cref="RelayQueues"/> is how many queues towards legacy the gateway spread the callbacks over (<c>Sync__Shards</c>).
/// </summary>
internal sealed record IngressResult(int Clients, IngressRun Intake, IngressRun WithRelay, int EnvelopeBytes, int RelayQueues);

/// <summary>
/// One gateway's maximum (closed loop), latency at half of it (open loop), CPU at the maximum and memory.
/// <see cref="RelayedPerSecond"/>: events the stub legacy system accepted per second during the maximum, which is what
/// the whole pipeline sustains end to end when the relay runs (zero when it is held). <see cref="SpoolFallbacks"/>: how
/// many times during the maximum and the half load the broker's confirm did not come within the publish timeout and
/// the intake turned to its spool (the gateway logs the first failure after a confirm); zero means the spool was idle.
/// </summary>
internal sealed record IngressRun(
    double MaxPerSecond,
    double RelayedPerSecond,
    LatencySummary MaxLatency,
    long MaxFailed,
    CpuUsage MaxCpu,
    double HalfOfferedPerSecond,
    double HalfAcceptedPerSecond,
    LatencySummary HalfLatency,
    long HalfFailed,
    MemoryResult Memory,
    int SpoolFallbacks);

/// <summary>Resident set size of the gateway process, in bytes: after start-up, the highest sample and the median of the second half of the load.</summary>
internal sealed record MemoryResult(long IdleRss, long PeakRss, long SteadyRss, long KernelPeakRss, int Samples);

internal static class Ingress
{
    // The gateway's queues towards legacy (docs/operations.md): relay.im-to-legacy.0 … .{Sync__Shards - 1}.
    private const string HeldQueuePrefix = "relay.im-to-legacy.";

    // The start of the gateway's warning when a confirm does not come in time and events go to the spool.
    private const string SpoolFallbackMessage = "RabbitMQ did not confirm within";

    public static async Task<IngressResult> RunAsync(BenchRig rig, BenchmarkProfile profile, Func<long> next)
    {
        int envelopeBytes;
        IReadOnlyList<string> heldQueues;
        IngressRun intake;
        await using (var gateway = await rig.StartGatewayAsync("ingress", profile.Clients, new Dictionary<string, string> { ["Sync__Paused"] = "true" }))
        {
            heldQueues = await HeldQueuesAsync(gateway);
            var traffic = new ImCallbackTraffic(gateway.Http, BenchRig.SdkAppId, BenchRig.CallbackToken);
            intake = await MeasureAsync("intake", rig, gateway, traffic.PostAsync, profile, next, () => PurgeAsync(gateway, heldQueues));
            envelopeBytes = await EnvelopeBytesAsync(gateway, heldQueues, traffic, next);
        }
        await using (var gateway = await rig.StartGatewayAsync("ingress-relay", profile.Clients))
        {
            var traffic = new ImCallbackTraffic(gateway.Http, BenchRig.SdkAppId, BenchRig.CallbackToken);
            var withRelay = await MeasureAsync("with relay", rig, gateway, traffic.PostAsync, profile, next, () => Task.CompletedTask);
            return new IngressResult(profile.Clients, intake, withRelay, envelopeBytes, heldQueues.Count);
        }
    }

    /// <summary>
    /// Warm-up, then the maximum (closed loop) and half of it (open loop), each callback posted by <paramref name="post"/>;
    /// <paramref name="betweenPhases"/> runs after the warm-up and after the maximum.
    /// </summary>
    public static async Task<IngressRun> MeasureAsync(string name, BenchRig rig, GatewayUnderTest gateway, Func<long, Task<bool>> post, BenchmarkProfile profile, Func<long> next, Func<Task> betweenPhases)
    {
        Task<bool> Send(long n, long _) => post(n);

        var idle = gateway.Process.Memory().Rss;
        using var sampler = new MemorySampler(gateway.Process);
        // Long enough for tiered compilation to settle: while it recompiles, the JIT thread takes a quarter of the
        // gateway's CPU (perf, 2 cores), which a gateway that has run for an hour no longer pays.
        await LoadRunner.ClosedLoopAsync(profile.Clients, profile.Warmup, next, Send, null);
        await betweenPhases();

        var fallbacksBefore = gateway.Process.CountLogMessages(SpoolFallbackMessage);
        var maxLatency = new Latencies();
        var cpu = CpuMeter.Start(gateway.Process.ProcessId);
        var relayedBefore = rig.Legacy.Accepted;
        var max = await LoadRunner.ClosedLoopAsync(profile.Clients, profile.Measure, next, Send, maxLatency);
        var relayedPerSecond = (rig.Legacy.Accepted - relayedBefore) / max.Elapsed.TotalSeconds;
        var maxCpu = cpu.Stop();
        Console.WriteLine($"  ingress max ({name}): {max.AcceptedPerSecond:F0}/s ({max.Failed} failed), relayed {relayedPerSecond:F0}/s meanwhile");

        await betweenPhases();
        var halfRate = max.AcceptedPerSecond * BenchmarkProfile.HalfLoad;
        var halfLatency = new Latencies();
        var half = await LoadRunner.OpenLoopAsync(halfRate, profile.Measure, 4 * profile.Clients, next, Send, halfLatency);
        Console.WriteLine($"  ingress at {halfRate:F0}/s ({name}): p99 {halfLatency.Summarise().P99:F1} ms ({half.Failed} failed)");
        var fallbacks = gateway.Process.CountLogMessages(SpoolFallbackMessage) - fallbacksBefore;

        return new IngressRun(max.AcceptedPerSecond, relayedPerSecond, maxLatency.Summarise(), max.Failed, maxCpu,
            halfRate, half.AcceptedPerSecond, halfLatency.Summarise(), half.Failed, sampler.Stop(idle), fallbacks);
    }

    /// <summary>
    /// Empties the held relay queues, so that each phase starts on empty queues as each limit run does: a backlog of a
    /// few hundred thousand messages slows the broker (a full run measured a half-load p99 of 619 ms without this).
    /// </summary>
    private static async Task PurgeAsync(GatewayUnderTest gateway, IReadOnlyList<string> queues)
    {
        var factory = new ConnectionFactory { Uri = BenchServices.RabbitMqIn(gateway.VirtualHost) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in queues)
        {
            await channel.QueuePurgeAsync(queue);
        }
    }

    /// <summary>The shard queues towards legacy, found by declaring them passively up to the first that does not exist.</summary>
    private static async Task<IReadOnlyList<string>> HeldQueuesAsync(GatewayUnderTest gateway)
    {
        var factory = new ConnectionFactory { Uri = BenchServices.RabbitMqIn(gateway.VirtualHost) };
        await using var connection = await factory.CreateConnectionAsync();
        var queues = new List<string>();
        while (true)
        {
            var queue = HeldQueuePrefix + queues.Count;
            // A failed passive declare closes its channel, hence one per probe.
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.QueueDeclarePassiveAsync(queue);
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
            {
                return queues.Count > 0 ? queues : throw new InvalidOperationException($"the gateway declared no {HeldQueuePrefix}N queue");
            }
            queues.Add(queue);
        }
    }

    /// <summary>
    /// The mean size of what the gateway publishes for the callback mix, the size the broker limit uses: a probe queue
    /// bound to the shard queues' exchanges (after the measured runs, so it costs them nothing) collects one mix's worth.
    /// </summary>
    private static async Task<int> EnvelopeBytesAsync(GatewayUnderTest gateway, IReadOnlyList<string> heldQueues, ImCallbackTraffic traffic, Func<long> next)
    {
        var factory = new ConnectionFactory { Uri = BenchServices.RabbitMqIn(gateway.VirtualHost) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var probe = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        foreach (var exchange in heldQueues)
        {
            await channel.QueueBindAsync(probe, exchange, "");
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
