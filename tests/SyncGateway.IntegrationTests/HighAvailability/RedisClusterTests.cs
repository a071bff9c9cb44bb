using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;
using SyncGateway.Fakes.Infrastructure;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.IntegrationTests.LoopSuppression;
using SyncGateway.Messaging;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.HighAvailability;

/// <summary>
/// The gateway on the local Redis Cluster (<c>deploy/local/services.sh cluster-start</c>: three masters, one replica
/// each), with <c>Redis:Configuration</c> the cluster's seed list.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class RedisClusterTests(ITestOutputHelper output)
{
    private const int Events = 1000;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>The masters cluster-start makes: the seed list's nodes.</summary>
    private static int[] Masters => [.. LocalRedisCluster.Configuration.Split(',').Select(e => int.Parse(e[(e.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture))];

    [ClusterFact]
    public async Task The_randomized_two_way_run_delivers_everything_once_and_in_order_with_no_CROSSSLOT()
    {
        await LocalRedisCluster.RestoreAsync(Masters);
        using var outcomes = new OutcomeCounter();
        await using var keys = new ClusterKeys();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.Mixed, Settings());
        keys.Prefix = sync.Gateway.KeyPrefix;

        await TwoWayRandomizedTests.RunAsync(sync, outcomes, Events);

        // Not one store call failed (a CROSSSLOT would have been retried until it parked or faulted).
        Assert.Equal(0, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Retried] + outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Retried]);
        using var health = await sync.Gateway.Client.GetAsync("/health/ready");
        using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
    }

    /// <summary>
    /// Redis replicates asynchronously: what a master acknowledged just before it died may never reach the replica that
    /// takes over. Here the master holding most of the run's conversations is killed (kill -9) half-way through round
    /// one and comes back as a replica; nothing may be lost or reordered, and the echoes and repeats it costs stay within
    /// the documented bound (docs/operations.md, "Redis Cluster and Sentinel"): one per event in flight at the crash,
    /// so at most one per relay queue, 2 × <c>Sync:Shards</c>.
    /// </summary>
    [ClusterFact]
    public async Task A_master_killed_mid_run_loses_and_reorders_nothing_and_costs_at_most_one_echo_or_repeat_per_relay_queue()
    {
        await LocalRedisCluster.RestoreAsync(Masters);
        using var outcomes = new OutcomeCounter();
        await using var keys = new ClusterKeys();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.Mixed, Settings());
        keys.Prefix = sync.Gateway.KeyPrefix;
        var shards = new SyncOptions().Shards;
        var failover = new Stopwatch();
        var probe = new ConcurrentDictionary<string, bool>();
        try
        {
            var run = await TwoWayRandomized.StartAsync(sync, outcomes);
            var owners = await LocalRedisCluster.OwnersAsync(run.Conversations);
            var victim = owners.Values.GroupBy(o => o.Id).OrderByDescending(g => g.Count()).First().First();
            var probeTag = owners.First(o => o.Value.Id == victim.Id).Key;

            var round = await run.SendMessagesAsync(Events, Limit, quiet: TimeSpan.FromSeconds(5), midway: async () =>
            {
                await using var writes = await ProbeWritesAsync(sync.Gateway.KeyPrefix + "probe:{" + probeTag + "}:", probe);
                output.WriteLine($"killing master {victim.Port}: {owners.Values.Count(o => o.Id == victim.Id)} of the {owners.Count} conversations");
                var stopped = await LocalRedisCluster.KillAsync(victim);
                failover.Start();
                await writes.StopAsync();
                await LocalRedisCluster.WaitForFailoverAsync(victim);
                failover.Stop();
                await stopped.StartAsync();
            });

            var lost = await LostProbeWritesAsync(probe);
            output.WriteLine($"killed master {victim.Port} ({victim.Slots} slots); a replica served them again after {failover.Elapsed.TotalSeconds:0.0} s");
            output.WriteLine($"probe: {probe.Count} SETs acknowledged in its slots around the kill, {lost} of them lost by the failover");
            output.WriteLine($"round: {round}");
            output.WriteLine($"outcomes: echoes suppressed {outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho]} + {outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho]}, duplicates dropped {outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Duplicate]} + {outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Duplicate]}, retried {outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Retried]} + {outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Retried]}, parked {outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Parked]} + {outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Parked]}");
            Assert.Equal(0, round.Missing);
            Assert.Equal(0, round.OutOfOrder);
            Assert.InRange(round.Echoes + round.Duplicates, 0, 2 * shards);
        }
        finally
        {
            await LocalRedisCluster.RestoreAsync(Masters);
        }
    }

    private static Dictionary<string, string?> Settings() => new() { ["Redis:Configuration"] = LocalRedisCluster.Configuration };

    /// <summary>Eight writers SET keys under <paramref name="prefix"/> as fast as the cluster answers, noting each acknowledged one.</summary>
    private static async Task<ProbeWriter> ProbeWritesAsync(string prefix, ConcurrentDictionary<string, bool> acknowledged)
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(LocalRedisCluster.Configuration);
        var stop = new CancellationTokenSource();
        var n = 0;
        var writers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var key = prefix + Interlocked.Increment(ref n).ToString(CultureInfo.InvariantCulture);
                try
                {
                    if (await redis.GetDatabase().StringSetAsync(key, "1"))
                    {
                        acknowledged[key] = true;
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    // The master is gone: only acknowledged writes count.
                }
            }
        })).ToList();
        await Eventually.AssertAsync(() => Task.FromResult(acknowledged.Count >= 500), TimeSpan.FromSeconds(10), "the probe writing");
        return new ProbeWriter(redis, stop, writers);
    }

    private static async Task<int> LostProbeWritesAsync(ConcurrentDictionary<string, bool> acknowledged)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(LocalRedisCluster.Configuration);
        var exists = await Task.WhenAll(acknowledged.Keys.Select(key => redis.GetDatabase().KeyExistsAsync(key)));
        return exists.Count(e => !e);
    }

    /// <summary>Deletes a gateway's keys from the cluster; declared before the gateway, so it runs once the gateway has stopped writing.</summary>
    private sealed class ClusterKeys : IAsyncDisposable
    {
        public string? Prefix { get; set; }

        public async ValueTask DisposeAsync()
        {
            if (Prefix is not null)
            {
                await LocalServices.DeleteRedisKeysAsync(Prefix, LocalRedisCluster.Configuration);
            }
        }
    }

    private sealed class ProbeWriter(ConnectionMultiplexer redis, CancellationTokenSource stop, List<Task> writers) : IAsyncDisposable
    {
        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            stop.Dispose();
            await redis.DisposeAsync();
        }
    }
}
