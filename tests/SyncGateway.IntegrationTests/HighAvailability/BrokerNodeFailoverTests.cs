using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SyncGateway.Admin;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.HighAvailability;

/// <summary>
/// A RabbitMQ cluster node crashes under load: the node the gateway is connected to, which leads relay queues (quorum
/// queues elect new leaders among the other two). IM sends each callback once and waits 2 s, so every callback must
/// still be answered OK in time (from the spool while nothing confirms), the gateway must reconnect to another node by
/// itself, and every event answered OK must reach the other side once and in order. The node is started again, so the
/// cluster is left with all three.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class BrokerNodeFailoverTests(ITestOutputHelper output)
{
    private const int Shards = 8;

    private static readonly TimeSpan ImWaits = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReconnectTimeout = TimeSpan.FromSeconds(60);

    [ClusterFact]
    public async Task Killing_the_node_that_leads_relay_queues_under_load_fails_no_callback_and_delivers_every_event_once_in_order()
    {
        var cluster = RabbitMqCluster.FromEnvironment();
        await cluster.EnsureAllRunningAsync();
        var vhost = await cluster.CreateVirtualHostAsync();
        int? down = null;
        try
        {
            await using var im = await OpenLoopLoad.StartFakeImAsync();
            await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>(GatewayHost.ImSettings(im))
            {
                ["RabbitMq:QueueType"] = "quorum",
                ["RabbitMq:ClusterNodes"] = cluster.ClusterNodes,
                ["Sync:Shards"] = Shards.ToString(CultureInfo.InvariantCulture),
            }, rabbitMq: cluster.UriIn(vhost));
            await OpenLoopLoad.WarmUpAsync(gateway.Client.BaseAddress!);

            var relayQueues = (await cluster.QueuesAsync(vhost)).Where(queue => queue.Name.StartsWith("relay.", StringComparison.Ordinal) && !queue.Name.EndsWith("_error", StringComparison.Ordinal)).ToList();
            var victim = cluster.NodeOfPort(Assert.Single((await cluster.ConnectionPortsAsync(vhost)).Distinct()));
            var led = relayQueues.Count(queue => queue.Leader == cluster.Names[victim]);
            Assert.True(led >= 2, $"the node the gateway is connected to, {cluster.Names[victim]}, leads {led} of {relayQueues.Count} relay queues");

            var broker = gateway.Services.GetRequiredService<BrokerState>();
            using var probe = new HttpClient { BaseAddress = gateway.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
            // Sent until the node has been back a few seconds (the duration is only the bound).
            await using var load = OpenLoopLoad.Start(gateway.Client.BaseAddress!, new LoadPlan(CallbacksPerSecond: 50, DeltasPerSecond: 20, TimeSpan.FromSeconds(100)));
            using var watching = new CancellationTokenSource();
            var connected = new ConcurrentQueue<(TimeSpan At, bool Connected)>();
            var spool = new ConcurrentQueue<(TimeSpan At, long? Depth)>();
            var watch = Task.Run(async () =>
            {
                while (!watching.IsCancellationRequested)
                {
                    connected.Enqueue((load.Elapsed, broker.Connected));
                    spool.Enqueue((load.Elapsed, (await Readiness.ProbeAsync(probe)).SpoolDepth));
                    await Task.Delay(100, CancellationToken.None);
                }
            });

            await load.UntilAsync(TimeSpan.FromSeconds(5));
            var killing = load.Elapsed;
            await cluster.KillAsync(victim);
            down = victim;
            var killed = load.Elapsed;
            await Eventually.AssertAsync(() => Task.FromResult(connected.Any(s => s.At > killing && !s.Connected)), TimeSpan.FromSeconds(10),
                "the gateway notices it lost its node");
            await Eventually.AssertAsync(() => Task.FromResult(connected.Any(s => s.At > killing && !s.Connected) && connected.Last().Connected), ReconnectTimeout,
                "the gateway reconnects, every receive endpoint running, while the killed node is still down");
            var reconnected = load.Elapsed;
            var now = (await cluster.ConnectionPortsAsync(vhost)).Distinct().Select(cluster.NodeOfPort).ToList();
            // The admin API's counts open a connection of their own, which must find a node that is up.
            var counts = await new RelayQueueCounts(gateway.Services.GetRequiredService<IOptions<RabbitMqOptions>>(), gateway.Services.GetRequiredService<IOptions<SyncOptions>>())
                .ReadAsync([RelayDirection.ImToLegacy, RelayDirection.LegacyToIm], CancellationToken.None);
            await load.UntilAsync(reconnected + TimeSpan.FromSeconds(5));
            var starting = load.Elapsed;
            await cluster.StartAsync(victim);
            down = null;
            var started = load.Elapsed;
            await load.UntilAsync(started + TimeSpan.FromSeconds(5));
            load.Stop();
            var sent = await load.Completion;
            var loadEnded = load.Elapsed;
            var settled = await Deliveries.WaitUntilSettledAsync(sent, () => [.. Deliveries.AtLegacy(gateway.Legacy), .. Deliveries.AtIm(im)],
                TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(2));
            await watching.CancelAsync();
            await watch;
            await Eventually.AssertAsync(async () => (await cluster.QueuesAsync(vhost)).Where(queue => relayQueues.Any(r => r.Name == queue.Name)).All(queue => queue.Online.Count == cluster.Names.Count),
                TimeSpan.FromSeconds(60), "every relay queue has its member on every node online again");

            var callbacks = new DeliveryReport(Origin.Im, sent, Deliveries.AtLegacy(gateway.Legacy));
            var deltas = new DeliveryReport(Origin.Legacy, sent, Deliveries.AtIm(im));
            var lost = connected.First(s => s.At > killing && !s.Connected).At;
            var peak = spool.MaxBy(s => s.Depth ?? 0);
            output.WriteLine(Invariant($"{cluster.Names[victim]}, the gateway's node and leader of {led} of {relayQueues.Count} relay queues, killed at {killing.TotalSeconds:F1} s (port closed {(killed - killing).TotalSeconds:F1} s later); ")
                + Invariant($"the gateway saw it lost at {lost.TotalSeconds:F1} s and was connected again, every receive endpoint running, at {reconnected.TotalSeconds:F1} s ({(reconnected - killed).TotalSeconds:F1} s after the kill) on {string.Join(", ", now.Select(n => n < 0 ? "?" : cluster.Names[n]))}; ")
                + Invariant($"node started again from {starting.TotalSeconds:F1} s to {started.TotalSeconds:F1} s; load stopped at {loadEnded.TotalSeconds:F1} s; spool peak {peak.Depth} events at {peak.At.TotalSeconds:F1} s; ")
                + (settled is { } s ? Invariant($"everything delivered {s.TotalSeconds:F1} s after the load ended") : "NOT everything delivered within 60 s"));
            output.WriteLine("spool depth each second: " + string.Join(", ", spool.GroupBy(sample => (int)sample.At.TotalSeconds)
                .Select(second => Invariant($"{second.Key} s {second.Max(sample => sample.Depth ?? 0)}"))));
            output.WriteLine("relay queues read through another node while the killed one was down: " + string.Join("; ", counts!.Select(c => $"{c.Key.QueueStem} {c.Value.Consumers} consumers, {c.Value.Depth} ready")));
            output.WriteLine(callbacks.ToString());
            output.WriteLine(deltas.ToString());
            var failedCallbacks = callbacks.Sent.Where(e => e.Answer != Answer.Ok).ToList();
            var lateCallbacks = callbacks.Sent.Where(e => e.Answer == Answer.Ok && e.Latency > ImWaits).ToList();
            var failedDeltas = deltas.Sent.Where(e => e.Answer != Answer.Ok).ToList();
            output.WriteLine($"answered with an error or not at all during the failover: callbacks {failedCallbacks.Count}, deltas {failedDeltas.Count}; callbacks answered OK after more than 2 s: {lateCallbacks.Count}");

            Assert.True(failedCallbacks.Count == 0, $"{failedCallbacks.Count} callbacks answered with an error or not at all: {DeliveryReport.Describe(failedCallbacks)}");
            Assert.True(lateCallbacks.Count == 0, $"{lateCallbacks.Count} callbacks answered OK after IM stopped waiting: {DeliveryReport.Describe(lateCallbacks)}");
            Assert.True(failedDeltas.Count == 0, $"{failedDeltas.Count} deltas not accepted: {DeliveryReport.Describe(failedDeltas)}");
            Assert.DoesNotContain(victim, now);
            Assert.NotNull(counts);
            Assert.All(counts.Values, direction => Assert.Equal(Shards, direction.Consumers));
            foreach (var report in new[] { callbacks, deltas })
            {
                report.AssertNothingLost();
                report.AssertNothingTwice();
                report.AssertInOrder();
            }
            Assert.Equal(0, callbacks.WithOtherId);
        }
        finally
        {
            if (down is { } node)
            {
                await cluster.StartAsync(node);
            }
            await cluster.DeleteVirtualHostAsync(vhost);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
