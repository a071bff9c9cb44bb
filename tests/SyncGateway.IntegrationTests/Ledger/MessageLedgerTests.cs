using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SyncGateway.Events;
using SyncGateway.Contracts;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.IntegrationTests.FromIm;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Ledger;
using SyncGateway.Store;

namespace SyncGateway.IntegrationTests.Ledger;

/// <summary>The message id ledger in Redis, filled by the relays of both directions and read back by every id.</summary>
public sealed class MessageLedgerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string Group = "g_ledger";

    [Fact]
    public async Task Records_the_ids_of_messages_relayed_either_way_and_finds_them_by_each_id()
    {
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.None);
        await sync.Im.SimulateUserCreateGroupAsync("u_1", "Ledger", groupId: Group, members: ["u_2"]);
        await sync.Gateway.Legacy.WaitForAsync(1, Wait);
        var ledger = sync.Gateway.Services.GetRequiredService<MessageLedger>();

        await SendAsync(sync,
            Delta("legacy.c2c.message.sent", "lg-c-1", new JsonObject { ["from"] = "u_1", ["to"] = "u_2", ["body"] = Body("from legacy"), ["legacyMessageId"] = "L-1" }),
            Delta("legacy.group.message.sent", "lg-g-1", new JsonObject { ["groupId"] = Group, ["from"] = "u_1", ["body"] = Body("one"), ["legacyMessageId"] = "G-1" }),
            Delta("legacy.group.message.sent", "lg-g-2", new JsonObject { ["groupId"] = Group, ["from"] = "u_2", ["body"] = Body("two") }));
        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetC2CMessages("u_1", "u_2").Count == 1 && sync.Im.GetGroup(Group)!.Messages.Count == 2),
            Wait, "the three messages in IM");
        var c2c = Assert.Single(sync.Im.GetC2CMessages("u_1", "u_2"));
        var group = sync.Im.GetGroup(Group)!.Messages;

        var fromLegacy = new LedgerEntry("L-1", MessageOrigin.Legacy, "u_1", "u_2", MsgKey: c2c.MsgKey, MsgTime: c2c.MsgTime, MsgRandom: c2c.MsgRandom);
        await Eventually.AssertAsync(async () => await ledger.FindByLegacyIdAsync("L-1") is not null, Wait, "L-1 in the ledger");
        Assert.Equal(fromLegacy, await ledger.FindByLegacyIdAsync("L-1"));
        Assert.Equal(fromLegacy, await ledger.FindByMsgKeyAsync(c2c.MsgKey));
        await Eventually.AssertAsync(async () => await ledger.FindByLegacyIdAsync("lg-g-2") is not null, Wait, "lg-g-2 in the ledger");
        Assert.Equal("G-1", (await ledger.FindByGroupSeqAsync(Group, group[0].MsgSeq))!.LegacyMessageId);
        Assert.Equal(group[0].MsgSeq, (await ledger.FindByLegacyIdAsync("G-1"))!.MsgSeq);
        Assert.Equal("lg-g-2", (await ledger.FindByGroupSeqAsync(Group, group[1].MsgSeq))!.LegacyMessageId);

        var fromIm = await sync.Im.SimulateUserC2CMessageAsync("u_2", "u_1", "from IM");
        var fromImInGroup = await sync.Im.SimulateUserGroupMessageAsync(Group, "u_2", "from IM too");
        var received = (await sync.Gateway.Legacy.WaitForAsync(3, Wait)).Skip(1).ToList();
        Assert.All(received, e => Assert.False(e.Data.TryGetProperty("legacyMessageId", out _)));
        var c2cEvent = Assert.Single(received, e => e.Type == EventTypes.ImC2CMessageSent);
        var groupEvent = Assert.Single(received, e => e.Type == EventTypes.ImGroupMessageSent);
        Assert.Equal(new LedgerEntry(c2cEvent.Id, MessageOrigin.Im, "u_2", "u_1", MsgKey: fromIm.MsgKey, MsgTime: fromIm.MsgTime),
            await ledger.FindByMsgKeyAsync(fromIm.MsgKey));
        Assert.Equal(fromIm.MsgKey, (await ledger.FindByLegacyIdAsync(c2cEvent.Id))!.MsgKey);
        Assert.Equal(groupEvent.Id, (await ledger.FindByGroupSeqAsync(Group, fromImInGroup.MsgSeq))!.LegacyMessageId);
    }

    [Fact]
    public async Task A_message_from_legacy_that_IM_reports_after_its_origin_tag_expired_reaches_legacy_with_its_legacy_id()
    {
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.None, new Dictionary<string, string?>
        {
            ["Sync:OriginTagTtlSeconds"] = "1",
            ["Im:ForbidCallbacksOnSend"] = "true",
        });
        var ledger = sync.Gateway.Services.GetRequiredService<MessageLedger>();
        await SendAsync(sync, Delta("legacy.c2c.message.sent", "lg-c-9", new JsonObject
        {
            ["from"] = "u_1", ["to"] = "u_2", ["body"] = Body("said on legacy"), ["legacyMessageId"] = "L-9",
        }));
        await Eventually.AssertAsync(async () => await ledger.FindByLegacyIdAsync("L-9") is not null, Wait, "L-9 in the ledger");
        var sent = Assert.Single(sync.Im.GetC2CMessages("u_1", "u_2"));
        var store = sync.Gateway.Services.GetRequiredService<IKeyValueStore>();
        var tag = RedisKeys.ImEcho("c2c:u_1:u_2", Assert.Single(EventCatalog.All.OfType<IEventDeclaration<C2CMessageData>>().Single()
            .ImEchoParts(new C2CMessageData("u_1", "u_2", [], MsgRandom: sent.MsgRandom))));
        await Eventually.AssertAsync(async () => !await store.ExistsAsync(tag), Wait, "the origin tag expired");

        using var answer = await sync.Gateway.PostCallbackAsync(CallbackBodies.C2C, new JsonObject
        {
            ["CallbackCommand"] = CallbackBodies.C2C,
            ["From_Account"] = sent.From,
            ["To_Account"] = sent.To,
            ["MsgSeq"] = sent.MsgSeq,
            ["MsgRandom"] = sent.MsgRandom,
            ["MsgTime"] = sent.MsgTime,
            ["MsgKey"] = sent.MsgKey,
            ["SendMsgResult"] = 0,
            ["MsgBody"] = sent.MsgBody.DeepClone(),
        }.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);

        var relayed = Assert.Single(await sync.Gateway.Legacy.WaitForAsync(1, Wait));
        Assert.Equal("L-9", relayed.Data.GetProperty("legacyMessageId").GetString());
        Assert.Equal(sent.MsgKey, relayed.Data.GetProperty("msgKey").GetString());
    }

    private static async Task SendAsync(TwoWaySync sync, params JsonObject[] deltas)
    {
        using var answer = await sync.Legacy.SendAsync(deltas);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
    }

    private static JsonObject Delta(string type, string id, JsonObject data) => LegacyDeltaSender.Delta(type, id, data);

    private static JsonArray Body(string text) => FakeImServer.TextBody(text).DeepClone().AsArray();
}
