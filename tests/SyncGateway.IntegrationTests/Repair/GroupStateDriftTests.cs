using System.Text.Json;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.Repair;

/// <summary>
/// Lost member callbacks through real RabbitMQ and Redis and the fake IM: the group tips they leave in the group's
/// <c>MsgSeq</c> show as holes once a later message arrives, and the repair then relays the joins and exits legacy
/// never heard of, marked <c>syncrepaired</c>, once each.
/// </summary>
public sealed class GroupStateDriftTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string Group = "g_drift";

    [Fact]
    public async Task A_lost_join_and_a_lost_quit_reach_legacy_as_repaired_events_once_each()
    {
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.None, new Dictionary<string, string?>
        {
            ["Repair:Enabled"] = "true",
            ["Repair:IntervalSeconds"] = "1",
            ["Repair:GracePeriodSeconds"] = "1",
        });
        var legacy = sync.Gateway.Legacy;
        sync.Im.Options.GroupTipsTakeSeqs = true;
        sync.Im.SeedAccounts("u_a", "u_b", "u_c");
        await sync.Im.SimulateUserCreateGroupAsync("u_a", "Drift", groupId: Group, members: ["u_b"]);
        await sync.Im.SimulateUserGroupMessageAsync(Group, "u_a", "before");
        await Eventually.AssertAsync(() => Task.FromResult(
            legacy.Received.Any(e => e.Type == "im.group.created") && legacy.Received.Any(e => e.Type == "im.group.message.sent")), Wait, "the group and its first message relayed");

        sync.Im.Options.LoseCallback = body => (string?)body["CallbackCommand"] is "Group.CallbackAfterNewMemberJoin" or "Group.CallbackAfterMemberExit";
        await sync.Im.SimulateUserJoinGroupAsync(Group, "u_c");
        await sync.Im.SimulateUserQuitGroupAsync(Group, "u_b");
        await sync.Im.SimulateUserGroupMessageAsync(Group, "u_a", "after");

        await Eventually.AssertAsync(() => Task.FromResult(
            legacy.Received.Any(e => e.Type == "im.group.member.joined") && legacy.Received.Any(e => e.Type == "im.group.member.left")), Wait, "the lost join and quit repaired");
        // A few more repair rounds: none relays them again.
        await Task.Delay(TimeSpan.FromSeconds(3));

        var joined = Assert.Single(legacy.Received, e => e.Type == "im.group.member.joined");
        var left = Assert.Single(legacy.Received, e => e.Type == "im.group.member.left");
        Assert.Equal(["u_c"], Members(joined));
        Assert.Equal(["u_b"], Members(left));
        Assert.True(Repaired(joined));
        Assert.True(Repaired(left));
        Assert.Equal("group:" + Group, joined.Subject);
        Assert.False(Repaired(legacy.Received.Single(e => e.Type == "im.group.created")));
    }

    private static string[] Members(ReceivedCloudEvent e) => [.. e.Data.GetProperty("members").EnumerateArray().Select(m => m.GetString()!)];

    private static bool Repaired(ReceivedCloudEvent e)
        => e.Event.TryGetProperty("syncrepaired", out var flag) && flag.ValueKind == JsonValueKind.True;
}
