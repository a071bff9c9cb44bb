using System.Globalization;
using System.Net;
using SyncGateway.IntegrationTests.FromIm;
using SyncGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.Durability;

/// <summary>The spool is bounded: past its limit the intake refuses, says what it refused, and keeps what it accepted.</summary>
public sealed class SpoolLimitTests(ITestOutputHelper output)
{
    private const int MaxEvents = 40;

    // The callback command each CloudEvents type comes from, for a log line that names the one rather than the other.
    private static readonly Dictionary<string, string> Commands = new()
    {
        ["im.c2c.message.sent"] = CallbackBodies.C2C,
        ["im.group.message.sent"] = CallbackBodies.GroupMessage,
    };

    [Fact]
    public async Task A_full_spool_answers_503_logs_each_refused_event_and_loses_nothing_it_accepted()
    {
        await using var rabbit = await PrivateRabbitMq.StartAsync();
        await using var im = await OpenLoopLoad.StartFakeImAsync();
        var logs = new CapturedLogs();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>(GatewayHost.ImSettings(im))
        {
            ["Spool:MaxEvents"] = MaxEvents.ToString(CultureInfo.InvariantCulture),
        }, logs.Capture, rabbit.Uri);
        await OpenLoopLoad.WarmUpAsync(gateway.Client.BaseAddress!);
        await rabbit.StopAsync();

        await using var load = OpenLoopLoad.Start(gateway.Client.BaseAddress!, new LoadPlan(CallbacksPerSecond: 20, DeltasPerSecond: 5, TimeSpan.FromSeconds(4)));
        var sent = await load.Completion;
        var readyWhileFull = await Readiness.ProbeAsync(gateway.Client);
        await rabbit.RestartAsync();
        var settled = await Deliveries.WaitUntilSettledAsync(sent, () => [.. Deliveries.AtLegacy(gateway.Legacy), .. Deliveries.AtIm(im)],
            TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(2));
        using var afterDrain = await gateway.PostCallbackAsync(CallbackBodies.C2C, CallbackBodies.C2CMessage("u_after", "u_drain", 1, "after the drain"));

        var callbacks = new DeliveryReport(Origin.Im, sent, Deliveries.AtLegacy(gateway.Legacy));
        var deltas = new DeliveryReport(Origin.Legacy, sent, Deliveries.AtIm(im));
        var refused = sent.Where(e => e.Answer != Answer.Ok).ToList();
        var errorLines = logs.Lines.Where(line => line.Contains("\"@l\":\"Error\"", StringComparison.Ordinal)).ToList();
        var unlogged = refused.Where(e => !errorLines.Any(line => line.Contains(e.Id, StringComparison.Ordinal) && line.Contains(e.Subject, StringComparison.Ordinal)
            && (line.Contains(e.Type, StringComparison.Ordinal) || (Commands.TryGetValue(e.Type, out var command) && line.Contains(command, StringComparison.Ordinal))))).ToList();
        output.WriteLine($"Spool:MaxEvents {MaxEvents}, broker stopped: sent {sent.Count}, answered OK {sent.Count - refused.Count}, refused {refused.Count}; /health/ready while full: {readyWhileFull.Status} (spool: {readyWhileFull.CheckStatus("spool")}); "
            + (settled is { } s ? $"everything accepted delivered {s.TotalSeconds:F1} s after the load ended" : "NOT everything delivered within 45 s"));
        output.WriteLine(callbacks.ToString());
        output.WriteLine(deltas.ToString());
        output.WriteLine($"Error log lines: {errorLines.Count}; refused events without one naming their id, conversation and type: {unlogged.Count}");
        if (errorLines.Count > 0)
        {
            output.WriteLine("  e.g. " + errorLines[0]);
        }
        Assert.Equal(MaxEvents, sent.Count(e => e.Answer == Answer.Ok));
        Assert.All(refused, e => Assert.Equal(503, e.Status));
        Assert.True(unlogged.Count == 0, $"refused events with no Error log line naming them: {DeliveryReport.Describe(unlogged)}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyWhileFull.Status);
        foreach (var report in new[] { callbacks, deltas })
        {
            report.AssertNothingLost();
            report.AssertNothingTwice();
            report.AssertInOrder();
        }
        Assert.Equal(HttpStatusCode.OK, afterDrain.StatusCode);
    }
}
