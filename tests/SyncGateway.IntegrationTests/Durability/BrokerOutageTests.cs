using System.Diagnostics;
using System.Globalization;
using SyncGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.Durability;

/// <summary>
/// RabbitMQ goes away under load: IM sends each callback once and waits 2 s, so the intake must answer OK from the
/// spool while the broker cannot confirm, and the spool must reach the broker, in order, once it is back.
/// </summary>
public sealed class BrokerOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ImWaits = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task With_the_broker_stopped_for_15_s_every_callback_is_answered_OK_within_2_s_and_every_event_arrives_once_in_order()
    {
        var boot = Stopwatch.StartNew();
        await using var rabbit = await PrivateRabbitMq.StartAsync();
        output.WriteLine($"private RabbitMQ node {rabbit.Node} on port {rabbit.Port} booted in {boot.Elapsed.TotalSeconds:F1} s");
        await using var im = await OpenLoopLoad.StartFakeImAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.ImSettings(im), rabbitMq: rabbit.Uri);
        await OpenLoopLoad.WarmUpAsync(gateway.Client.BaseAddress!);
        using var probe = new HttpClient { BaseAddress = gateway.Client.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        // Sent until the broker has been back a few seconds (the duration is only the bound).
        await using var load = OpenLoopLoad.Start(gateway.Client.BaseAddress!, new LoadPlan(CallbacksPerSecond: 50, DeltasPerSecond: 20, TimeSpan.FromSeconds(60)));

        await load.UntilAsync(TimeSpan.FromSeconds(4));
        var stopping = load.Elapsed;
        await rabbit.StopAsync();
        var refusing = load.Elapsed;
        await load.UntilAsync(refusing + TimeSpan.FromSeconds(15));
        var spooled = (await Readiness.ProbeAsync(probe)).SpoolDepth;
        var starting = load.Elapsed;
        await rabbit.RestartAsync();
        var accepting = load.Elapsed;
        var depths = new List<(TimeSpan At, long? Depth)>();
        var sampling = Task.Run(async () =>
        {
            while (load.Elapsed < accepting + TimeSpan.FromSeconds(60) && depths is not [.., (_, 0)])
            {
                depths.Add((load.Elapsed, (await Readiness.ProbeAsync(probe)).SpoolDepth));
                await load.UntilAsync(load.Elapsed + TimeSpan.FromMilliseconds(250));
            }
        });
        await load.UntilAsync(accepting + TimeSpan.FromSeconds(4));
        load.Stop();
        var sent = await load.Completion;
        var loadEnded = load.Elapsed;
        await sampling;
        var spoolEmpty = depths[^1].At;
        var settled = await Deliveries.WaitUntilSettledAsync(sent, () => [.. Deliveries.AtLegacy(gateway.Legacy), .. Deliveries.AtIm(im)],
            TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(2));

        var callbacks = new DeliveryReport(Origin.Im, sent, Deliveries.AtLegacy(gateway.Legacy));
        var deltas = new DeliveryReport(Origin.Legacy, sent, Deliveries.AtIm(im));
        output.WriteLine(Invariant($"broker: stop_app at {stopping.TotalSeconds:F1} s, refusing connections from {refusing.TotalSeconds:F1} s; start_app at {starting.TotalSeconds:F1} s, accepting from {accepting.TotalSeconds:F1} s ")
            + Invariant($"(refused for at least {(starting - refusing).TotalSeconds:F1} s, away for {(accepting - stopping).TotalSeconds:F1} s); load stopped at {loadEnded.TotalSeconds:F1} s; ")
            + Invariant($"spool held {spooled?.ToString(CultureInfo.InvariantCulture) ?? "?"} events before start_app and was empty {(spoolEmpty - accepting).TotalSeconds:F1} s after the broker accepted again; ")
            + (settled is { } s ? Invariant($"everything delivered {s.TotalSeconds:F1} s after that") : "NOT everything delivered within 60 s"));
        // Forwarding starts once the bus has reconnected: the last sample at the peak depth is just before it.
        var peak = depths.MaxBy(d => d.Depth);
        var forwarding = depths.Last(d => d.Depth == peak.Depth);
        output.WriteLine(Invariant($"spool after start_app: peak {peak.Depth} events at {peak.At.TotalSeconds:F1} s; forwarding began {(forwarding.At - accepting).TotalSeconds:F1} s after the broker accepted again ")
            + Invariant($"and moved {peak.Depth} events in {(spoolEmpty - forwarding.At).TotalSeconds:F1} s; samples: ")
            + string.Join(", ", depths.Select(d => Invariant($"{d.At.TotalSeconds:F1} s {d.Depth}"))));
        output.WriteLine(callbacks.ToString());
        output.WriteLine(deltas.ToString());
        var slowOrRefused = callbacks.Sent.Where(e => e.Answer != Answer.Ok || e.Latency > ImWaits).ToList();
        Assert.True(slowOrRefused.Count == 0, $"{slowOrRefused.Count} callbacks not answered OK within {ImWaits}: {DeliveryReport.Describe(slowOrRefused)}");
        var refusedDeltas = deltas.Sent.Where(e => e.Answer != Answer.Ok).ToList();
        Assert.True(refusedDeltas.Count == 0, $"{refusedDeltas.Count} deltas not accepted: {DeliveryReport.Describe(refusedDeltas)}");
        Assert.True(depths is [.., (_, 0)], "the spool drained within 60 s of the broker's return");
        foreach (var report in new[] { callbacks, deltas })
        {
            report.AssertNothingLost();
            report.AssertNothingTwice();
            report.AssertInOrder();
        }
        Assert.Equal(0, callbacks.WithOtherId);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
