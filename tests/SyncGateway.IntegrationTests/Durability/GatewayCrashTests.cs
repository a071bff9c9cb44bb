using System.Globalization;
using SyncGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.Durability;

/// <summary>
/// The gateway process dies with <c>kill -9</c> under load and a new one starts on the same port with the same
/// settings and spool file, as a container restarted in place.
/// </summary>
public sealed class GatewayCrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ImWaits = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task What_a_killed_gateway_left_in_its_spool_is_forwarded_once_by_its_successor_when_the_broker_returns()
    {
        await using var rabbit = await PrivateRabbitMq.StartAsync();
        await using var gateway = await RestartableGateway.CreateAsync(rabbit.Uri);
        await gateway.StartReadyAsync();
        await OpenLoopLoad.WarmUpAsync(gateway.BaseAddress);
        await rabbit.StopAsync();
        await using var load = OpenLoopLoad.Start(gateway.BaseAddress, new LoadPlan(CallbacksPerSecond: 40, DeltasPerSecond: 10, TimeSpan.FromSeconds(12)));

        await load.UntilAsync(TimeSpan.FromSeconds(5));
        var spoolBytes = SpoolBytes(gateway);
        var killedAt = load.Elapsed;
        await gateway.Current.KillAsync();
        gateway.Start();
        await gateway.Current.WaitUntilListeningAsync(StartTimeout);
        var listeningAt = load.Elapsed;
        var sent = await load.Completion;
        var relayedDuringOutage = Deliveries.AtLegacy(gateway.Legacy).Count + Deliveries.AtIm(gateway.Im).Count;
        await rabbit.RestartAsync();
        var brokerBackAt = load.Elapsed;
        var settled = await Deliveries.WaitUntilSettledAsync(sent, () => [.. Deliveries.AtLegacy(gateway.Legacy), .. Deliveries.AtIm(gateway.Im)],
            TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(2));

        var callbacks = new DeliveryReport(Origin.Im, sent, Deliveries.AtLegacy(gateway.Legacy));
        var deltas = new DeliveryReport(Origin.Legacy, sent, Deliveries.AtIm(gateway.Im));
        var okBeforeKill = sent.Count(e => e.Answer == Answer.Ok && e.AnsweredAt < killedAt);
        output.WriteLine(Invariant($"broker stopped before the load; {okBeforeKill} events answered OK before kill -9 at {killedAt.TotalSeconds:F1} s (spool file {spoolBytes} bytes with its WAL); successor listening {(listeningAt - killedAt).TotalSeconds:F1} s later; broker back at {brokerBackAt.TotalSeconds:F1} s; ")
            + (settled is { } s ? Invariant($"everything delivered {s.TotalSeconds:F1} s after that") : "NOT everything delivered within 60 s"));
        output.WriteLine(callbacks.ToString());
        output.WriteLine(deltas.ToString());
        Assert.True(okBeforeKill > 0, "events were answered OK before the kill");
        Assert.Equal(0, relayedDuringOutage);
        var slowAfterStart = callbacks.Sent.Where(e => e.ScheduledAt > listeningAt && (e.Answer != Answer.Ok || e.Latency > ImWaits)).ToList();
        Assert.True(slowAfterStart.Count == 0,
            $"{slowAfterStart.Count} callbacks sent after the successor listened (bus not connected) were not answered OK within {ImWaits}: {DeliveryReport.Describe(slowAfterStart)}");
        foreach (var report in new[] { callbacks, deltas })
        {
            report.AssertNothingLost();
            report.AssertNothingTwice();
            report.AssertInOrder();
        }
    }

    [Fact]
    public async Task A_gateway_killed_under_load_loses_nothing_it_answered_OK_and_what_it_delivers_again_carries_the_same_id()
    {
        await using var gateway = await RestartableGateway.CreateAsync();
        await gateway.StartReadyAsync();
        await OpenLoopLoad.WarmUpAsync(gateway.BaseAddress);
        await using var load = OpenLoopLoad.Start(gateway.BaseAddress, new LoadPlan(CallbacksPerSecond: 50, DeltasPerSecond: 20, TimeSpan.FromSeconds(15)));

        await load.UntilAsync(TimeSpan.FromSeconds(6));
        var killedAt = load.Elapsed;
        await gateway.Current.KillAsync();
        gateway.Start();
        await gateway.Current.WaitUntilListeningAsync(StartTimeout);
        var listeningAt = load.Elapsed;
        await gateway.Current.WaitUntilReadyAsync(StartTimeout);
        var readyAt = load.Elapsed;
        var sent = await load.Completion;
        var settled = await Deliveries.WaitUntilSettledAsync(sent, () => [.. Deliveries.AtLegacy(gateway.Legacy), .. Deliveries.AtIm(gateway.Im)],
            TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(3));

        var callbacks = new DeliveryReport(Origin.Im, sent, Deliveries.AtLegacy(gateway.Legacy));
        var deltas = new DeliveryReport(Origin.Legacy, sent, Deliveries.AtIm(gateway.Im));
        var lateOk = callbacks.Sent.Count(e => e.Answer == Answer.Ok && e.Latency > ImWaits);
        output.WriteLine(Invariant($"kill -9 at {killedAt.TotalSeconds:F1} s; successor listening after {(listeningAt - killedAt).TotalSeconds:F1} s, ready after {(readyAt - killedAt).TotalSeconds:F1} s; ")
            + (settled is { } s ? Invariant($"everything delivered {s.TotalSeconds:F1} s after the load ended") : "NOT everything delivered within 60 s"));
        output.WriteLine(callbacks.ToString());
        output.WriteLine(deltas.ToString());
        output.WriteLine(Invariant($"callbacks answered OK after more than {ImWaits.TotalSeconds:F0} s (lost for IM): {lateOk}; delivered more than once: to legacy {callbacks.Duplicated.Count}, to IM {deltas.Duplicated.Count}"));
        var late = callbacks.Sent.Where(e => e.Answer == Answer.Ok && e.Latency > ImWaits).ToList();
        if (late.Count > 0)
        {
            output.WriteLine(Invariant($"  late (successor listening at {listeningAt.TotalSeconds:F2} s): ") + DeliveryReport.Describe(late));
        }
        foreach (var duplicate in callbacks.Duplicated.Concat(deltas.Duplicated).Take(10))
        {
            output.WriteLine($"  {duplicate[0].Key}: {string.Join(", ", duplicate.Select(d => d.WebhookId is null ? d.Id : $"{d.Id} / webhook-id {d.WebhookId}"))}");
        }
        foreach (var report in new[] { callbacks, deltas })
        {
            report.AssertNothingLost();
            Assert.Empty(report.DuplicatesWithDifferentIds);
        }
        Assert.Equal(0, callbacks.WithOtherId);
    }

    private static long SpoolBytes(RestartableGateway gateway)
        => Directory.GetFiles(gateway.WorkDirectory, "spool.db*").Sum(file => new FileInfo(file).Length);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
