using System.Net;
using System.Text.Json.Nodes;
using SyncGateway.Messaging;
using SyncGateway.Fakes;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Hosting;

namespace SyncGateway.IntegrationTests.LoopSuppression;

public sealed class EchoSuppressionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Theory]
    [InlineData(LegacyEcho.WithSyncOrigin)]
    [InlineData(LegacyEcho.Fingerprint)]
    public async Task The_legacy_echo_of_every_relayed_type_is_suppressed(LegacyEcho echo)
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(echo);
        var im = sync.Im;

        var groupId = await im.SimulateUserCreateGroupAsync("u_1", "Hikers", members: ["u_2"]);
        await im.SimulateUserChangeGroupInfoAsync(groupId, "u_1", name: "Hikers 2025", notification: "north gate");
        await im.SimulateUserJoinGroupAsync(groupId, "u_3");
        await im.SimulateUserGroupMessageAsync(groupId, "u_2", "trail is muddy");
        await im.SimulateUserC2CMessageAsync("u_1", "u_2", "see you at 7");
        await im.SimulateUserQuitGroupAsync(groupId, "u_3");
        await im.SimulateUserDestroyGroupAsync(groupId, "u_1");

        var received = await sync.Gateway.Legacy.WaitForAsync(7, Wait);
        Assert.Equal(
            ["im.c2c.message.sent", "im.group.created", "im.group.dismissed", "im.group.member.joined", "im.group.member.left", "im.group.message.sent", "im.group.profile.changed"],
            received.Select(e => e.Type).Order(StringComparer.Ordinal));
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, 7, Wait);
        await Eventually.AssertAsync(() => Task.FromResult(sync.EchoAnswers.Count == 7), Wait, "all seven echoes posted");
        Assert.All(sync.EchoAnswers, a => Assert.Equal(HttpStatusCode.Accepted, a));
        Assert.Empty(sync.ImWrites);
        Assert.Equal(0, outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Applied]);
    }

    [Fact]
    public async Task The_same_text_sent_twice_is_relayed_twice_and_its_two_echoes_are_suppressed_but_a_third_real_send_is_not()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.Fingerprint);

        await sync.Im.SimulateUserC2CMessageAsync("u_1", "u_2", "ok");
        await sync.Im.SimulateUserC2CMessageAsync("u_1", "u_2", "ok");

        var received = await sync.Gateway.Legacy.WaitForAsync(2, Wait);
        Assert.All(received, e => Assert.Equal("ok", e.Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString()));
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, 2, Wait);
        Assert.Empty(sync.Im.CallsTo("openim/sendmsg"));

        using var third = await sync.Legacy.SendAsync(LegacyDeltaSender.Delta("legacy.c2c.message.sent", "lg-third-ok",
            JsonNode.Parse("""{"from":"u_1","to":"u_2","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"ok"}}]}""")!));
        Assert.Equal(HttpStatusCode.Accepted, third.StatusCode);
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Applied, 1, Wait);
        Assert.Single(sync.Im.CallsTo("openim/sendmsg"));
    }

    [Fact]
    public async Task A_legacy_user_sending_the_same_text_twice_reaches_IM_twice_and_neither_echo_returns_to_legacy()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.Fingerprint);
        var data = """{"from":"u_5","to":"u_6","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"hi"}}]}""";

        using var first = await sync.Legacy.SendAsync(LegacyDeltaSender.Delta("legacy.c2c.message.sent", "lg-hi-1", JsonNode.Parse(data)!));
        using var second = await sync.Legacy.SendAsync(LegacyDeltaSender.Delta("legacy.c2c.message.sent", "lg-hi-2", JsonNode.Parse(data)!));

        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetC2CMessages("u_5", "u_6").Count == 2), Wait, "both stored in IM");
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho, 2, Wait);
        Assert.Empty(sync.Gateway.Legacy.Received);
    }
}
