using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.Durability;

/// <summary>
/// Redis goes away under load. The intake does not need it, so readiness must not depend on it (a failing readiness
/// probe would take every replica out of the Service and IM's callbacks would meet no one); the relay waits for it.
/// </summary>
public sealed class RedisOutageUnderLoadTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ImWaits = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // The chart's readinessProbe.timeoutSeconds: a readiness answer that takes longer counts as a failed probe. (On two
    // busy cores the in-process gateway answered one probe of 90 in 1,007 ms while the relay's Redis calls were failing.)
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task With_Redis_stopped_the_gateway_stays_ready_says_Redis_is_down_answers_OK_and_relays_everything_once_after_it_returns()
    {
        await using var redis = await PrivateRedis.StartAsync();
        await using var im = await OpenLoopLoad.StartFakeImAsync();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>(GatewayHost.ImSettings(im))
        {
            ["Redis:Configuration"] = redis.Configuration,
        });
        await Eventually.AssertAsync(async () => await Readiness.ProbeAsync(gateway.Client) is { Status: HttpStatusCode.OK } ready && ready.CheckStatus("redis") == "Healthy", Wait, "ready, Redis healthy");
        await OpenLoopLoad.WarmUpAsync(gateway.Client.BaseAddress!);
        await using var load = OpenLoopLoad.Start(gateway.Client.BaseAddress!, new LoadPlan(CallbacksPerSecond: 30, DeltasPerSecond: 10, TimeSpan.FromSeconds(18)));

        await load.UntilAsync(TimeSpan.FromSeconds(3));
        await redis.StopAsync();
        var stoppedAt = load.Elapsed;
        var probes = new ConcurrentQueue<(TimeSpan At, Readiness Readiness)>();
        await Eventually.AssertAsync(async () =>
        {
            var readiness = await Readiness.ProbeAsync(gateway.Client);
            probes.Enqueue((load.Elapsed, readiness));
            return readiness.CheckStatus("redis") == "Unhealthy";
        }, Wait, "the health body says Redis is down");
        var reportedDownAt = load.Elapsed;
        // Probe readiness until the outage has lasted 10 s, each probe once the previous one answered (250 ms apart at least).
        while (load.Elapsed < stoppedAt + TimeSpan.FromSeconds(10))
        {
            probes.Enqueue((load.Elapsed, await Readiness.ProbeAsync(gateway.Client)));
            await load.UntilAsync(load.Elapsed + TimeSpan.FromMilliseconds(250));
        }
        await redis.RestartAsync();
        var restartedAt = load.Elapsed;
        await Eventually.AssertAsync(async () => (await Readiness.ProbeAsync(gateway.Client)).CheckStatus("redis") == "Healthy", Wait, "the health body says Redis is back");
        var sent = await load.Completion;
        var settled = await Deliveries.WaitUntilSettledAsync(sent, () => [.. Deliveries.AtLegacy(gateway.Legacy), .. Deliveries.AtIm(im)],
            TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(2));

        var callbacks = new DeliveryReport(Origin.Im, sent, Deliveries.AtLegacy(gateway.Legacy));
        var deltas = new DeliveryReport(Origin.Legacy, sent, Deliveries.AtIm(im));
        var notReady = probes.Where(p => p.Readiness.Status != HttpStatusCode.OK || p.Readiness.Took > ProbeTimeout).ToList();
        var took = probes.Select(p => p.Readiness.Took.TotalMilliseconds).Order().ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Redis stopped at {stoppedAt.TotalSeconds:F1} s, reported Unhealthy in the health body after {(reportedDownAt - stoppedAt).TotalSeconds:F1} s, restarted at {restartedAt.TotalSeconds:F1} s; {probes.Count} readiness probes during the outage (answered in {took[0]:F0} to {took[^1]:F0} ms), {notReady.Count} not 200 within {ProbeTimeout.TotalSeconds:F0} s; ")
            + (settled is { } s ? string.Create(CultureInfo.InvariantCulture, $"everything delivered {s.TotalSeconds:F1} s after the load ended") : "NOT everything delivered within 60 s"));
        output.WriteLine(callbacks.ToString());
        output.WriteLine(deltas.ToString());
        Assert.True(notReady.Count == 0, $"readiness failed during the Redis outage: {string.Join(", ", notReady.Take(5).Select(p => $"{p.Readiness.Status} after {p.Readiness.Took.TotalMilliseconds:F0} ms at {p.At.TotalSeconds:F1} s"))}");
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync(HealthEndpoints.LivePath)).StatusCode);
        var slowOrRefused = callbacks.Sent.Where(e => e.Answer != Answer.Ok || e.Latency > ImWaits).ToList();
        Assert.True(slowOrRefused.Count == 0, $"{slowOrRefused.Count} callbacks not answered OK within {ImWaits}: {DeliveryReport.Describe(slowOrRefused)}");
        var refusedDeltas = deltas.Sent.Where(e => e.Answer != Answer.Ok).ToList();
        Assert.True(refusedDeltas.Count == 0, $"{refusedDeltas.Count} deltas not accepted: {DeliveryReport.Describe(refusedDeltas)}");
        foreach (var report in new[] { callbacks, deltas })
        {
            report.AssertNothingLost();
            report.AssertNothingTwice();
            report.AssertInOrder();
        }
    }
}
