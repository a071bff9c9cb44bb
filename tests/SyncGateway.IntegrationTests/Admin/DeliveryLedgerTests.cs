using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SyncGateway.Fakes;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Ledger;

namespace SyncGateway.IntegrationTests.Admin;

/// <summary>Messages relayed both ways, with their echoes coming back, are found in the delivery ledger by each id.</summary>
public sealed class DeliveryLedgerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_message_relayed_each_way_is_found_by_every_id_with_its_steps_and_trace_and_its_echo_names_the_tag()
    {
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.WithSyncOrigin);
        var ledger = sync.Gateway.Services.GetRequiredService<DeliveryLedger>();

        // IM → legacy, 1:1 and group; legacy echoes each back with syncorigin.
        await sync.Im.SimulateUserC2CMessageAsync("u_1", "u_2", "see you at 7");
        var groupId = await sync.Im.SimulateUserCreateGroupAsync("u_1", "Hikers", members: ["u_2"]);
        await sync.Im.SimulateUserGroupMessageAsync(groupId, "u_2", "trail is muddy");
        var received = await sync.Gateway.Legacy.WaitForAsync(3, Wait);
        var c2c = received.Single(e => e.Type == "im.c2c.message.sent");
        var group = received.Single(e => e.Type == "im.group.message.sent");
        var msgKey = c2c.Data.GetProperty("msgKey").GetString()!;
        var msgSeq = group.Data.GetProperty("msgSeq").GetInt64();

        var relayed = await EventuallyFoundAsync(ledger, c2c.Id, DeliverySteps.Relayed);
        Assert.Equal(("im-to-legacy", "im.c2c.message.sent"), (relayed.Direction, relayed.Type));
        Assert.Matches("^[0-9a-f]{32}$", relayed.TraceId);
        Assert.Equal([DeliverySteps.Received, DeliverySteps.Relayed], relayed.Steps.Select(s => s.Step));
        Assert.StartsWith("legacy 2", relayed.Steps[1].Detail, StringComparison.Ordinal);
        Assert.Contains(await ledger.FindByMsgKeyAsync(msgKey), r => r.Id == c2c.Id);
        Assert.Contains(await ledger.FindByLegacyIdAsync(c2c.Id), r => r.Id == c2c.Id);
        await EventuallyFoundAsync(ledger, group.Id, DeliverySteps.Relayed);
        Assert.Contains(await ledger.FindByGroupSeqAsync(groupId, msgSeq), r => r.Id == group.Id);

        var echo = await EventuallyFoundAsync(ledger, "echo-" + c2c.Id, DeliverySteps.Echo);
        Assert.Equal("legacy-to-im", echo.Direction);
        Assert.Equal("syncorigin", echo.Steps.Single(s => s.Step == DeliverySteps.Echo).Detail);

        // Legacy → IM; IM calls back for the gateway's own write, and the origin tag suppresses that echo.
        using var answer = await sync.Legacy.SendAsync(LegacyDeltaSender.Delta("legacy.c2c.message.sent", "lg-ledger-1",
            JsonNode.Parse("""{"from":"u_5","to":"u_6","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"hi from legacy"}}]}""")!));
        var applied = await EventuallyFoundAsync(ledger, "lg-ledger-1", DeliverySteps.Relayed);
        var imMessage = Assert.Single(sync.Im.GetC2CMessages("u_5", "u_6"));
        Assert.Equal("legacy-to-im", applied.Direction);
        Assert.NotNull(applied.TraceId);
        Assert.Equal("IM MsgKey " + imMessage.MsgKey, applied.Steps.Single(s => s.Step == DeliverySteps.Relayed).Detail);
        Assert.Contains(await ledger.FindByLegacyIdAsync("lg-ledger-1"), r => r.Id == "lg-ledger-1");
        List<DeliveryRecord> byMsgKey = [];
        await Eventually.AssertAsync(async () =>
        {
            byMsgKey = [.. await ledger.FindByMsgKeyAsync(imMessage.MsgKey)];
            return byMsgKey.Any(r => r.Steps.Any(s => s.Step == DeliverySteps.Echo));
        }, Wait, "the IM callback of the gateway's own write is in the ledger under the same MsgKey");
        Assert.Contains(byMsgKey, r => r.Id == "lg-ledger-1");
        var imEcho = byMsgKey.Single(r => r.Id != "lg-ledger-1");
        Assert.Equal("im-to-legacy", imEcho.Direction);
        Assert.Equal("origin-tag", imEcho.Steps.Single(s => s.Step == DeliverySteps.Echo).Detail);
    }

    private static async Task<DeliveryRecord> EventuallyFoundAsync(DeliveryLedger ledger, string eventId, string step)
    {
        DeliveryRecord? record = null;
        await Eventually.AssertAsync(async () =>
        {
            record = await ledger.FindAsync(eventId);
            return record?.Steps.Any(s => s.Step == step) == true;
        }, Wait, $"{eventId} has a {step} step");
        return record!;
    }
}
