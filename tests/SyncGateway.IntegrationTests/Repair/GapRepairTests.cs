using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using SyncGateway.Repair;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.Repair;

/// <summary>
/// IM loses callbacks on purpose (the fake's "lost callback" fault) while users of both apps talk, through real
/// RabbitMQ and Redis and a legacy system that posts back everything it receives. The automatic group repair and one
/// 1:1 window repair then bring legacy every IM message exactly once, never relay one of the gateway's own writes
/// back, and stay within IM's rate limits.
/// </summary>
public sealed class GapRepairTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // The grace period must outlast the fake's callback latency under this test's load (a few seconds on 2 cores).
    private static readonly Dictionary<string, string?> RepairSettings = new()
    {
        ["Repair:Enabled"] = "true",
        ["Repair:IntervalSeconds"] = "1",
        ["Repair:GracePeriodSeconds"] = "6",
    };

    [Fact]
    public async Task After_5_percent_of_callbacks_are_lost_one_repair_brings_legacy_every_IM_message_exactly_once_in_seq_order_per_group_and_no_echo()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.Mixed, RepairSettings);
        var im = sync.Im;
        im.Options.GroupTipsTakeSeqs = true;
        foreach (var api in new[] { FakeImApis.GroupMsgGetSimple, FakeImApis.GetGroupInfo, FakeImApis.AdminGetRoamMsg, FakeImApis.GetGroupMemberInfo })
        {
            im.EnforceRateLimit(api, 200);
        }
        var users = Enumerable.Range(0, 24).Select(i => $"u_{i:D2}").ToArray();
        im.SeedAccounts(users);
        var groups = Enumerable.Range(0, 12).Select(i => $"g_gap_{i:D2}").ToArray();
        foreach (var (group, i) in groups.Select((g, i) => (g, i)))
        {
            await im.SimulateUserCreateGroupAsync(users[i], group, groupId: group, members: [.. users.Where((_, j) => j % 3 == i % 3 && j != i)]);
        }
        var start = DateTimeOffset.UtcNow;
        im.Options.CallbackLossSeed = 20261203;
        im.Options.CallbackLossRate = 0.05;

        // IM users: 1,200 group messages with joins and quits between them, 1,200 1:1 messages over 40 pairs. Legacy
        // users: 120 messages the gateway writes into IM, whose history then holds them too.
        var imGroupTexts = new List<(string Group, string Text)>();
        var imC2CTexts = new List<string>();
        await Task.WhenAll(groups.Select((group, i) => Task.Run(async () =>
        {
            for (var n = 0; n < 100; n++)
            {
                var text = $"{group} #{n}";
                lock (imGroupTexts)
                {
                    imGroupTexts.Add((group, text));
                }
                await im.SimulateUserGroupMessageAsync(group, users[i], text);
                // Members of group i are the users j with j % 3 == i % 3: one outsider joins, one member quits, for good.
                if (n % 25 == 10)
                {
                    await im.SimulateUserJoinGroupAsync(group, users[(i + 1 + (3 * (n / 25))) % users.Length]);
                }
                else if (n % 25 == 20)
                {
                    await im.SimulateUserQuitGroupAsync(group, users[(i + 3 + (3 * (n / 25))) % users.Length]);
                }
            }
        })));
        var pairs = Enumerable.Range(0, 40).Select(i => (users[i % 24], users[(i % 24 + 1 + (i / 24)) % 24])).ToArray();
        await Task.WhenAll(pairs.Select((pair, i) => Task.Run(async () =>
        {
            for (var n = 0; n < 30; n++)
            {
                var text = $"c2c {i} #{n}";
                lock (imC2CTexts)
                {
                    imC2CTexts.Add(text);
                }
                await (n % 2 == 0 ? im.SimulateUserC2CMessageAsync(pair.Item1, pair.Item2, text) : im.SimulateUserC2CMessageAsync(pair.Item2, pair.Item1, text));
            }
        })));
        for (var n = 0; n < 60; n++)
        {
            var (from, to) = pairs[n % pairs.Length];
            using var answer = await sync.Legacy.SendAsync(
                LegacyDeltaSender.Delta("legacy.c2c.message.sent", $"lg-c-{n}", new JsonObject { ["from"] = from, ["to"] = to, ["body"] = Body($"from legacy c2c {n}"), ["legacyMessageId"] = $"L-C-{n}" }),
                LegacyDeltaSender.Delta("legacy.group.message.sent", $"lg-g-{n}", new JsonObject { ["groupId"] = groups[n % groups.Length], ["from"] = users[n % groups.Length], ["body"] = Body($"from legacy group {n}"), ["legacyMessageId"] = $"L-G-{n}" }));
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        }
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Applied, 120, Wait);
        im.Options.CallbackLossRate = 0;

        // Lost callbacks of the gateway's own writes are echoes nobody misses; those of users' messages must be repaired.
        var lost = im.LostCallbacks;
        var lostMemberChanges = lost.Where(c => c.Command is "Group.CallbackAfterNewMemberJoin" or "Group.CallbackAfterMemberExit")
            .SelectMany(c => (c.Body["NewMemberList"] ?? c.Body["ExitMemberList"])!.AsArray().Select(m => (
                Type: c.Command == "Group.CallbackAfterNewMemberJoin" ? "im.group.member.joined" : "im.group.member.left",
                Subject: $"group:{c.Body["GroupId"]}", Member: m!["Member_Account"]!.GetValue<string>()))).ToList();
        var lostMessages = lost.Count(c => c.Command is "Group.CallbackAfterSendMsg" or "C2C.CallbackAfterSendMsg"
            && !c.Body["MsgBody"]![0]!["MsgContent"]!["Text"]!.GetValue<string>().StartsWith("from legacy", StringComparison.Ordinal));
        output.WriteLine($"lost callbacks: {lost.Count}, of them {lostMessages} of users' messages and {lostMemberChanges.Count} member changes");
        Assert.InRange(lostMessages, 60, 240);

        // Groups: automatic (holes, including each group's newest message through the tail check).
        await Eventually.AssertAsync(() => Task.FromResult(imGroupTexts.All(t => Received(sync, "im.group.message.sent", t.Text) >= 1)), Wait,
            "every IM group message relayed or repaired");
        // Members: repaired from IM's state after the tips' holes showed the changes.
        await Eventually.AssertAsync(() => Task.FromResult(groups.All(g => LegacyMembers(sync, g).SetEquals(im.GetGroup(g)!.Members.Select(m => m.Account)))), Wait,
            "legacy's view of every group's members is IM's");
        // 1:1: one window repair, as the repair command runs it.
        var report = await sync.Gateway.Services.GetRequiredService<C2CRepairer>().RepairAsync(start.AddMinutes(-1), DateTimeOffset.UtcNow, null, dryRun: false, null, default);
        output.WriteLine($"1:1 repair: {report}");
        await Eventually.AssertAsync(() => Task.FromResult(imC2CTexts.All(t => Received(sync, "im.c2c.message.sent", t) >= 1)), Wait,
            "every IM 1:1 message relayed or repaired");
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Relayed, imGroupTexts.Count + imC2CTexts.Count, Wait);

        var received = sync.Gateway.Legacy.Received;
        Assert.All(imGroupTexts, t => Assert.Equal(1, Received(sync, "im.group.message.sent", t.Text)));
        Assert.All(imC2CTexts, t => Assert.Equal(1, Received(sync, "im.c2c.message.sent", t)));
        Assert.DoesNotContain(received, e => e.Type.EndsWith(".message.sent", StringComparison.Ordinal) && e.MessageText.StartsWith("from legacy", StringComparison.Ordinal));
        var repaired = received.Where(IsRepaired).ToList();
        Assert.Equal(lostMessages, repaired.Count(e => e.Type.EndsWith(".message.sent", StringComparison.Ordinal)));
        Assert.Equal(report.Count(RepairOutcome.Repaired), repaired.Count(e => e.Type == "im.c2c.message.sent"));
        // Relayed as they came, a group's messages are in MsgSeq order; a repaired one comes when it was repaired, its msgSeq giving its place.
        foreach (var group in groups)
        {
            var seqs = received.Where(e => e.Type == "im.group.message.sent" && e.Subject == $"group:{group}" && !IsRepaired(e))
                .Select(e => e.Data.GetProperty("msgSeq").GetInt64()).ToList();
            Assert.Equal(seqs.Order(), seqs);
        }
        // Each member change reached legacy once: from its callback, or repaired from IM's state.
        var memberEvents = received.Where(e => e.Type is "im.group.member.joined" or "im.group.member.left")
            .SelectMany(e => e.Data.GetProperty("members").EnumerateArray().Select(m => (e.Type, e.Subject, Member: m.GetString())));
        Assert.All(memberEvents.GroupBy(e => e), e => Assert.Single(e));
        // Each lost one was repaired (a callback later than the grace period is taken for lost too, and dropped when it comes).
        var repairedChanges = received.Where(e => e.Type is "im.group.member.joined" or "im.group.member.left" && IsRepaired(e))
            .SelectMany(e => e.Data.GetProperty("members").EnumerateArray().Select(m => (e.Type, e.Subject, Member: m.GetString()))).ToHashSet();
        Assert.All(lostMemberChanges, c => Assert.Contains(c, repairedChanges));
        Assert.Equal(0, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Faulted]);
        foreach (var api in new[] { FakeImApis.GroupMsgGetSimple, FakeImApis.GetGroupInfo, FakeImApis.AdminGetRoamMsg, FakeImApis.GetGroupMemberInfo })
        {
            Assert.Equal(0, im.RateLimitViolations(api));
        }
        output.WriteLine($"IM history calls: group_msg_get_simple {im.CallsTo(FakeImApis.GroupMsgGetSimple).Count}, get_group_info {im.CallsTo(FakeImApis.GetGroupInfo).Count}, admin_getroammsg {im.CallsTo(FakeImApis.AdminGetRoamMsg).Count}");
    }

    [Fact]
    public async Task A_late_callback_of_a_repaired_message_and_a_second_repair_of_a_relayed_one_are_dropped_as_duplicates()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.None, RepairSettings);
        var im = sync.Im;
        im.SeedAccounts("u_a", "u_b");
        await im.SimulateUserCreateGroupAsync("u_a", "Late", groupId: "g_late", members: ["u_b"]);
        im.Options.LoseCallback = body => body["MsgBody"]?[0]?["MsgContent"]?["Text"]?.GetValue<string>() is "lost" or "lost 1:1";

        var start = DateTimeOffset.UtcNow;
        await im.SimulateUserGroupMessageAsync("g_late", "u_a", "before");
        var lost = await im.SimulateUserGroupMessageAsync("g_late", "u_b", "lost");
        await im.SimulateUserGroupMessageAsync("g_late", "u_a", "after");
        var lostC2C = await im.SimulateUserC2CMessageAsync("u_a", "u_b", "lost 1:1");
        await im.SimulateUserC2CMessageAsync("u_b", "u_a", "seen 1:1");
        await Eventually.AssertAsync(() => Task.FromResult(Received(sync, "im.group.message.sent", "lost") == 1), Wait, "the lost group message repaired");
        var repairer = sync.Gateway.Services.GetRequiredService<C2CRepairer>();
        var first = await repairer.RepairAsync(start.AddMinutes(-1), DateTimeOffset.UtcNow, [C2CPair.Of("u_a", "u_b")], dryRun: false, null, default);
        Assert.Equal((1, 1), (first.Count(RepairOutcome.Repaired), first.Count(RepairOutcome.AlreadyRelayed)));
        Assert.Equal(["msgKey " + lostC2C.MsgKey], first.MissingItems);
        await Eventually.AssertAsync(() => Task.FromResult(Received(sync, "im.c2c.message.sent", "lost 1:1") == 1), Wait, "the lost 1:1 message repaired");

        // The real callbacks come after all (IM's optional retry, a slow network): same ids, so duplicates.
        foreach (var callback in im.LostCallbacks)
        {
            using var answer = await sync.Gateway.PostCallbackAsync(callback.Command, callback.Body.ToJsonString());
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Duplicate, 2, Wait);
        // A second repair of the window finds both relayed.
        var second = await repairer.RepairAsync(start.AddMinutes(-1), DateTimeOffset.UtcNow, [C2CPair.Of("u_a", "u_b")], dryRun: false, null, default);
        Assert.Equal(2, second.Count(RepairOutcome.AlreadyRelayed));
        var groupAgain = await sync.Gateway.Services.GetRequiredService<GroupRepairer>().RepairAsync(new GroupRef("g_late"), [lost.MsgSeq], dryRun: false, default);
        Assert.Equal(1, groupAgain.Count(RepairOutcome.AlreadyRelayed));

        Assert.Equal(1, Received(sync, "im.group.message.sent", "lost"));
        Assert.Equal(1, Received(sync, "im.c2c.message.sent", "lost 1:1"));
        var messages = sync.Gateway.Legacy.Received.Where(e => e.Type.EndsWith(".message.sent", StringComparison.Ordinal)).ToList();
        Assert.Equal(5, messages.Count);
        Assert.All(messages, e => Assert.Equal(e.MessageText.StartsWith("lost", StringComparison.Ordinal), IsRepaired(e)));
    }

    /// <summary>A group's members as legacy learned them: the creation's, then each join and exit in the order received.</summary>
    private static HashSet<string> LegacyMembers(TwoWaySync sync, string group)
    {
        var members = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in sync.Gateway.Legacy.Received.Where(e => e.Subject == $"group:{group}"))
        {
            var data = e.Data;
            switch (e.Type)
            {
                case "im.group.created":
                    if (data.TryGetProperty("owner", out var owner))
                    {
                        members.Add(owner.GetString()!);
                    }
                    members.UnionWith(data.TryGetProperty("members", out var initial) ? initial.EnumerateArray().Select(m => m.GetString()!) : []);
                    break;
                case "im.group.member.joined":
                    members.UnionWith(data.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));
                    break;
                case "im.group.member.left":
                    members.ExceptWith(data.GetProperty("members").EnumerateArray().Select(m => m.GetString()!));
                    break;
            }
        }
        return members;
    }

    private static int Received(TwoWaySync sync, string type, string text)
        => sync.Gateway.Legacy.Received.Count(e => e.Type == type && e.MessageText == text);

    private static bool IsRepaired(ReceivedCloudEvent e) => e.Event.TryGetProperty("syncrepaired", out var repaired) && repaired.GetBoolean();

    private static JsonArray Body(string text) => FakeImServer.TextBody(text).DeepClone().AsArray();

    private static string TextOf(JsonArray body) => body[0]!["MsgContent"]!["Text"]!.GetValue<string>();
}
