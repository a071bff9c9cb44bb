using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using static SyncGateway.IntegrationTests.FromIm.CallbackBodies;

namespace SyncGateway.IntegrationTests.Messaging;

public sealed class ReplicaTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // The standby replica is paused: any event RabbitMQ handed to it would wait at its gate instead of reaching legacy.
    [Fact]
    public async Task A_second_replica_relays_nothing_while_the_first_runs_and_takes_over_every_queue_in_order_when_it_stops()
    {
        await using var active = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Sync:Shards"] = "4" });
        await using var standby = await GatewayHost.StartReplicaAsync(active, new Dictionary<string, string?> { ["Sync:Paused"] = "true" });
        var standbyGate = standby.Services.GetRequiredService<PauseGate>();

        for (var seq = 1; seq <= 10; seq++)
        {
            var intake = seq % 2 == 0 ? active : standby;
            Assert.Equal(HttpStatusCode.OK, (await intake.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", seq, $"m{seq}"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await intake.PostCallbackAsync(GroupMessage, GroupMsg($"@TGS#replica{seq}", seq))).StatusCode);
        }

        await active.Legacy.WaitForAsync(20, Wait);
        Assert.Equal(0, standbyGate.Waiting);

        await active.StopGatewayAsync();
        for (var seq = 11; seq <= 13; seq++)
        {
            Assert.Equal(HttpStatusCode.OK, (await standby.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", seq, $"m{seq}"))).StatusCode);
        }
        await Eventually.AssertAsync(() => Task.FromResult(standbyGate.Waiting == 1), Wait, "the standby now consumes the conversation's queue");
        Assert.Equal(20, active.Legacy.Received.Count);

        standbyGate.Resume();
        var received = await active.Legacy.WaitForAsync(23, Wait);
        Assert.Equal(Enumerable.Range(1, 13).Select(seq => (long)seq),
            received.Where(e => e.Subject == "c2c:u_1:u_2").Select(e => e.Data.GetProperty("msgSeq").GetInt64()));
    }
}
