using System.Net;
using System.Text.Json.Nodes;
using SyncGateway.Messaging;
using SyncGateway.Fakes;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Hosting;

namespace SyncGateway.IntegrationTests.LoopSuppression;

public sealed class RedisOutageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task With_Redis_stopped_nothing_is_relayed_or_lost_and_everything_flows_once_it_is_back()
    {
        await using var redis = await PrivateRedis.StartAsync();
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.None, new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = redis.Configuration,
        });

        await redis.StopAsync();
        await sync.Im.SimulateUserC2CMessageAsync("u_1", "u_2", "during the outage, from IM");
        using var delta = await sync.Legacy.SendAsync(LegacyDeltaSender.Delta("legacy.c2c.message.sent", "lg-outage",
            JsonNode.Parse("""{"from":"u_3","to":"u_4","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"during the outage, from legacy"}}]}""")!));

        Assert.Equal(HttpStatusCode.Accepted, delta.StatusCode);
        Assert.True(sync.Im.Callbacks.Single().Delivered, "the IM intake depends on the broker only");
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Retried, 2, Wait);
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Retried, 2, Wait);
        Assert.Empty(sync.Gateway.Legacy.Received);
        Assert.Empty(sync.Im.CallsTo("openim/sendmsg"));

        await redis.RestartAsync();

        var received = await sync.Gateway.Legacy.WaitForAsync(1, Wait);
        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetC2CMessages("u_3", "u_4").Count == 1), Wait, "the delta reached IM");
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Relayed, 1, Wait);
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Applied, 1, Wait);
        Assert.Equal("c2c:u_1:u_2", Assert.Single(received).Subject);
        Assert.Single(sync.Im.GetC2CMessages("u_3", "u_4"));
        Assert.Equal(0, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Faulted] + outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Faulted]);
    }
}
