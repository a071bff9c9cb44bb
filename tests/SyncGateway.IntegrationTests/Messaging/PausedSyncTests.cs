using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using static SyncGateway.IntegrationTests.FromIm.CallbackBodies;

namespace SyncGateway.IntegrationTests.Messaging;

public sealed class PausedSyncTests
{
    [Fact]
    public async Task A_paused_gateway_accepts_callbacks_holds_them_and_relays_them_in_order_once_resumed()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Sync:Paused"] = "true" });
        var gate = gateway.Services.GetRequiredService<PauseGate>();

        for (var seq = 1; seq <= 3; seq++)
        {
            Assert.Equal(HttpStatusCode.OK, (await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", seq, $"held {seq}"))).StatusCode);
        }

        await Eventually.AssertAsync(() => Task.FromResult(gate.Waiting == 1), TimeSpan.FromSeconds(20), "one event of the conversation is held at the gate");
        Assert.Equal(0, gateway.Legacy.Attempts);

        gate.Resume();

        // The first deliveries of a fresh process, whose JIT delays them unevenly: before the relay queues were
        // sharded, a CI run relayed these as 3, 1, 2.
        var received = await gateway.Legacy.WaitForAsync(3, TimeSpan.FromSeconds(30));
        Assert.Equal([1L, 2L, 3L], received.Select(e => e.Data.GetProperty("msgSeq").GetInt64()));
    }
}
