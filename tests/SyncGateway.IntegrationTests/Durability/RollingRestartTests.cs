using System.Globalization;
using System.Net;
using SyncGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.Durability;

/// <summary>
/// A deploy as Kubernetes does it, reduced to one port: <c>SIGTERM</c> to the running process, then a new process
/// on the same port once the old one has exited, under steady load.
/// </summary>
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    private const int DrainDelaySeconds = 5;

    // Requests due this close to the listener closing or opening may meet either side of it.
    private static readonly TimeSpan Edge = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_rolling_restart_under_load_loses_nothing_answered_OK_and_fails_requests_only_while_no_process_listens()
    {
        await using var gateway = await RestartableGateway.CreateAsync(overrides: new Dictionary<string, string?>
        {
            ["Shutdown:DrainDelaySeconds"] = DrainDelaySeconds.ToString(CultureInfo.InvariantCulture),
            ["Shutdown:TimeoutSeconds"] = "20",
        });
        await gateway.StartReadyAsync();
        await OpenLoopLoad.WarmUpAsync(gateway.BaseAddress);
        using var probe = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        await using var load = OpenLoopLoad.Start(gateway.BaseAddress, new LoadPlan(CallbacksPerSecond: 50, DeltasPerSecond: 20, TimeSpan.FromSeconds(20)));

        await load.UntilAsync(TimeSpan.FromSeconds(4));
        var old = gateway.Current;
        var terminatedAt = load.Elapsed;
        old.Terminate();
        await Eventually.AssertAsync(async () => (await Readiness.ProbeAsync(probe)).Status == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(2),
            "the terminated gateway reports not ready while it drains");
        var notReadyAt = load.Elapsed;
        var exitCode = await old.WaitForExitAsync(TimeSpan.FromSeconds(40));
        var exitedAt = load.Elapsed;
        gateway.Start();
        await gateway.Current.WaitUntilListeningAsync(TimeSpan.FromSeconds(30));
        var listeningAt = load.Elapsed;
        var sent = await load.Completion;
        var settled = await Deliveries.WaitUntilSettledAsync(sent, () => [.. Deliveries.AtLegacy(gateway.Legacy), .. Deliveries.AtIm(gateway.Im)],
            TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(2));

        var callbacks = new DeliveryReport(Origin.Im, sent, Deliveries.AtLegacy(gateway.Legacy));
        var deltas = new DeliveryReport(Origin.Legacy, sent, Deliveries.AtIm(gateway.Im));
        var drainEnds = terminatedAt + TimeSpan.FromSeconds(DrainDelaySeconds);
        var failed = sent.Where(e => e.Answer != Answer.Ok).ToList();
        var failedDuringDrain = failed.Where(e => e.ScheduledAt >= terminatedAt && e.ScheduledAt < drainEnds - Edge).ToList();
        var failedOutsideGap = failed.Where(e => e.ScheduledAt < drainEnds - Edge || e.ScheduledAt > listeningAt + Edge).ToList();
        var lateOk = callbacks.Sent.Count(e => e.Answer == Answer.Ok && e.Latency > TimeSpan.FromSeconds(2));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SIGTERM at {terminatedAt.TotalSeconds:F1} s; not ready after {(notReadyAt - terminatedAt).TotalSeconds:F1} s; exited (code {exitCode}) after {(exitedAt - terminatedAt).TotalSeconds:F1} s; new process listening {(listeningAt - exitedAt).TotalSeconds:F1} s after that ")
            + string.Create(CultureInfo.InvariantCulture, $"(no listener from about {drainEnds.TotalSeconds:F1} s to {listeningAt.TotalSeconds:F1} s); ")
            + (settled is { } s ? string.Create(CultureInfo.InvariantCulture, $"everything delivered {s.TotalSeconds:F1} s after the load ended") : "NOT everything delivered within 60 s"));
        output.WriteLine(callbacks.ToString());
        output.WriteLine(deltas.ToString());
        output.WriteLine($"answered with an error or not at all: callbacks {callbacks.Count(Answer.Error)} + {callbacks.Count(Answer.None)}, deltas {deltas.Count(Answer.Error)} + {deltas.Count(Answer.None)}; "
            + $"during the drain delay {failedDuringDrain.Count}; outside the gap without a listener {failedOutsideGap.Count}; callbacks answered OK after more than 2 s {lateOk}");
        foreach (var report in new[] { callbacks, deltas })
        {
            report.AssertNothingLost();
            Assert.Empty(report.DuplicatesWithDifferentIds);
        }
        Assert.True(failedDuringDrain.Count == 0, $"requests failed while the old process was still serving its drain delay: {DeliveryReport.Describe(failedDuringDrain)}");
        Assert.True(failedOutsideGap.Count == 0, $"requests failed outside the gap between the old listener closing and the new one opening: {DeliveryReport.Describe(failedOutsideGap)}");
    }
}
