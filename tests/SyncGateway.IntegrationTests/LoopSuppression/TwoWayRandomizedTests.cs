using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using SyncGateway.Messaging;
using SyncGateway.Fakes;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.LoopSuppression;

public sealed class TwoWayRandomizedTests
{
    private const int Events = 2000;
    private const int Pairs = 20;
    private const int Groups = 10;

    /// <summary>
    /// Users on both sides write into the same conversations at once; the legacy system reports everything it
    /// receives back (some echoes with syncorigin, some without), IM calls back for every write of the gateway, and
    /// the legacy system re-sends some deltas. At the end each side holds exactly what it should.
    /// </summary>
    [Fact]
    public async Task Both_directions_at_once_end_with_no_echo_no_loss_and_no_duplicate()
    {
        var random = new Random(42);
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.Mixed);
        var groups = new List<string>();
        for (var g = 0; g < Groups; g++)
        {
            groups.Add(await sync.Im.SimulateUserCreateGroupAsync($"owner{g}", $"group {g}", groupId: $"g_rand_{g}", members: [$"m{g}_1", $"m{g}_2"]));
        }
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, Groups, TimeSpan.FromSeconds(60));

        var fromIm = new ConcurrentBag<(string Conversation, string Text)>();
        var fromLegacy = new ConcurrentBag<(string Conversation, string Text)>();
        var plan = Enumerable.Range(0, Events).Select(k => (K: k, OnIm: random.Next(2) == 0, Conversation: random.Next(Pairs + Groups), Resend: random.NextDouble() < 0.05)).ToList();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (step, _) =>
        {
            var text = $"ev-{step.K}";
            var isGroup = step.Conversation >= Pairs;
            var (a, b) = ($"ua{step.Conversation}", $"ub{step.Conversation}");
            var groupId = isGroup ? groups[step.Conversation - Pairs] : null;
            var key = isGroup ? $"group:{groupId}" : $"c2c:{a}:{b}";
            if (step.OnIm)
            {
                if (isGroup)
                {
                    await sync.Im.SimulateUserGroupMessageAsync(groupId!, $"m{step.Conversation - Pairs}_1", text);
                }
                else
                {
                    await sync.Im.SimulateUserC2CMessageAsync(a, b, text);
                }
                fromIm.Add((key, text));
                return;
            }
            var delta = isGroup
                ? LegacyDeltaSender.Delta("legacy.group.message.sent", $"lg-{step.K}",
                    new JsonObject { ["groupId"] = groupId, ["from"] = $"legacy_{step.K % 7}", ["body"] = Body(text) })
                : LegacyDeltaSender.Delta("legacy.c2c.message.sent", $"lg-{step.K}",
                    new JsonObject { ["from"] = b, ["to"] = a, ["body"] = Body(text) });
            for (var send = 0; send < (step.Resend ? 2 : 1); send++)
            {
                using var answer = await sync.Legacy.SendAsync(delta);
                Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            }
            fromLegacy.Add((key, text));
        });

        var limit = TimeSpan.FromMinutes(4);
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Relayed, fromIm.Count, limit);
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Applied, fromLegacy.Count, limit);
        // Every relay to legacy comes back as an echo delta, every write to IM as a callback: all must be suppressed.
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, Groups + fromIm.Count, limit);
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho, fromLegacy.Count, limit);

        var legacyHolds = sync.Gateway.Legacy.Received
            .Where(e => e.Type == "im.c2c.message.sent" || e.Type == "im.group.message.sent")
            .Select(e => (e.Subject, e.Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString()!))
            .Order().ToList();
        Assert.Equal(fromIm.Order().ToList(), legacyHolds);

        var imHolds = Enumerable.Range(0, Pairs)
            .SelectMany(i => sync.Im.GetC2CMessages($"ua{i}", $"ub{i}").Select(m => ($"c2c:ua{i}:ub{i}", Text(m.MsgBody))))
            .Concat(groups.SelectMany(g => sync.Im.GetGroup(g)!.Messages.Select(m => ($"group:{g}", Text(m.MsgBody)))))
            .Order().ToList();
        Assert.Equal(fromIm.Concat(fromLegacy).Order().ToList(), imHolds);
        Assert.Equal(0, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Faulted] + outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Faulted]);
        Assert.True(outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Duplicate] > 0, "some deltas were re-sent and dropped as duplicates");
    }

    private static JsonArray Body(string text)
        => [new JsonObject { ["msgType"] = "TIMTextElem", ["msgContent"] = new JsonObject { ["Text"] = text } }];

    private static string Text(JsonArray body) => body[0]!["MsgContent"]!["Text"]!.GetValue<string>();
}
