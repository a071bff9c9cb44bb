using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.Coexistence;

/// <summary>
/// Recall, edit, read, profile and friend changes cross both ways once, through real RabbitMQ and Redis, the fake IM
/// (which calls back for every write of the gateway, as IM does) and a legacy system that posts back everything it
/// receives (with or without <c>syncorigin</c>). Every echo is suppressed once, so each side ends with exactly what
/// its users did.
/// </summary>
public sealed class CoexistenceTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string Group = "g_co";

    private static async Task<TwoWaySync> StartAsync(OutcomeCounter outcomes)
    {
        var sync = await TwoWaySync.StartAsync(LegacyEcho.Mixed);
        sync.Im.SeedAccounts("u_a", "u_b", "u_c");
        await sync.Im.SimulateUserCreateGroupAsync("u_a", "Co", groupId: Group, members: ["u_b"]);
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, 1, Wait);
        return sync;
    }

    [Fact]
    public async Task A_message_from_legacy_recalled_in_IM_is_recalled_on_legacy_by_its_legacy_id_and_one_born_in_IM_recalled_on_legacy_is_recalled_in_IM()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await StartAsync(outcomes);

        // From legacy, recalled in IM: 1:1 and group.
        await SendAsync(sync, C2C("lg-m-1", "L-1", "u_a", "u_b", "oops"), GroupMessage("lg-g-1", "L-G-1", "u_a", "oops all"));
        var c2c = await OneC2CAsync(sync, "u_a", "u_b");
        var groupSeq = (await OneGroupMessageAsync(sync)).MsgSeq;
        await sync.Im.SimulateUserRecallC2CAsync("u_a", "u_b", c2c.MsgKey);
        await sync.Im.SimulateUserRecallGroupMessageAsync(Group, "u_a", groupSeq);
        var c2cRecall = await ReceivedAsync(sync, "im.c2c.message.recalled");
        var groupRecall = await ReceivedAsync(sync, "im.group.message.recalled");
        Assert.Equal("L-1", c2cRecall.Data.GetProperty("target").GetProperty("legacyMessageId").GetString());
        Assert.Equal(c2c.MsgKey, c2cRecall.Data.GetProperty("target").GetProperty("msgKey").GetString());
        Assert.Equal("L-G-1", groupRecall.Data.GetProperty("target").GetProperty("legacyMessageId").GetString());
        Assert.Equal(groupSeq, groupRecall.Data.GetProperty("target").GetProperty("msgSeq").GetInt64());

        // Born in IM, recalled on legacy by the id it received the message under.
        await sync.Im.SimulateUserC2CMessageAsync("u_b", "u_a", "from IM");
        await sync.Im.SimulateUserGroupMessageAsync(Group, "u_b", "from IM to all");
        var c2cFromIm = await ReceivedAsync(sync, "im.c2c.message.sent", e => e.MessageText == "from IM");
        var groupFromIm = await ReceivedAsync(sync, "im.group.message.sent", e => e.MessageText == "from IM to all");
        await SendAsync(sync,
            Delta("legacy.c2c.message.recalled", "lg-r-1", new JsonObject { ["from"] = "u_b", ["to"] = "u_a", ["target"] = new JsonObject { ["legacyMessageId"] = c2cFromIm.Id } }),
            Delta("legacy.group.message.recalled", "lg-r-2", new JsonObject { ["groupId"] = Group, ["target"] = new JsonObject { ["legacyMessageId"] = groupFromIm.Id } }));
        await Eventually.AssertAsync(() => Task.FromResult(
            sync.Im.GetC2CMessages("u_a", "u_b").Single(m => TextOf(m.MsgBody) == "from IM").Recalled
            && sync.Im.GetGroup(Group)!.Messages.Single(m => TextOf(m.MsgBody) == "from IM to all").Recalled), Wait, "both recalled in IM");

        // Towards IM: legacy posted back the two recalls and the two IM messages it received. Towards legacy: IM called
        // back for the two messages and the two recalls the gateway wrote.
        await WaitForEchoesAsync(outcomes, toLegacy: 2 + 2, toIm: 2 + 2);
        Assert.Single(sync.Im.CallsTo(FakeImApis.AdminMsgWithdraw));
        Assert.Single(sync.Im.CallsTo(FakeImApis.GroupMsgRecall));
        Assert.Single(sync.Gateway.Legacy.Received, e => e.Type == "im.c2c.message.recalled");
        Assert.Single(sync.Gateway.Legacy.Received, e => e.Type == "im.group.message.recalled");
        Assert.Equal(0, outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Faulted]);
    }

    [Fact]
    public async Task An_edit_crosses_both_ways_once_and_names_the_message_on_each_side()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await StartAsync(outcomes);

        await SendAsync(sync, C2C("lg-m-1", "L-1", "u_a", "u_b", "See you at 7"), GroupMessage("lg-g-1", "L-G-1", "u_a", "Deploy at 5"));
        var c2c = await OneC2CAsync(sync, "u_a", "u_b");
        var groupSeq = (await OneGroupMessageAsync(sync)).MsgSeq;

        // Legacy edits its own messages by its own ids.
        await SendAsync(sync,
            Delta("legacy.c2c.message.edited", "lg-e-1", new JsonObject { ["from"] = "u_a", ["to"] = "u_b", ["target"] = new JsonObject { ["legacyMessageId"] = "L-1" }, ["body"] = Body("See you at 8") }),
            Delta("legacy.group.message.edited", "lg-e-2", new JsonObject { ["groupId"] = Group, ["target"] = new JsonObject { ["legacyMessageId"] = "L-G-1" }, ["body"] = Body("Deploy at 6") }));
        await Eventually.AssertAsync(() => Task.FromResult(
            TextOf(sync.Im.FindC2CMessage(c2c.MsgKey)!.MsgBody) == "See you at 8"
            && TextOf(sync.Im.GetGroup(Group)!.Messages.Single(m => m.MsgSeq == groupSeq).MsgBody) == "Deploy at 6"), Wait, "both edited in IM");

        // An IM user edits them again: legacy gets the edits naming its own ids.
        await sync.Im.SimulateUserEditC2CAsync(c2c.MsgKey, "u_a", FakeImServer.TextBody("See you at 9"));
        await sync.Im.SimulateUserEditGroupMessageAsync(Group, groupSeq, "u_a", FakeImServer.TextBody("Deploy at 7"));
        var c2cEdit = await ReceivedAsync(sync, "im.c2c.message.edited");
        var groupEdit = await ReceivedAsync(sync, "im.group.message.edited");
        Assert.Equal("L-1", c2cEdit.Data.GetProperty("target").GetProperty("legacyMessageId").GetString());
        Assert.Equal("See you at 9", c2cEdit.Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString());
        Assert.Equal("L-G-1", groupEdit.Data.GetProperty("target").GetProperty("legacyMessageId").GetString());

        // Towards IM: legacy posted back the two edits it received. Towards legacy: IM called back for the two messages
        // and the two edits the gateway wrote.
        await WaitForEchoesAsync(outcomes, toLegacy: 2, toIm: 2 + 2);
        Assert.Single(sync.Im.CallsTo(FakeImApis.ModifyC2CMsg));
        Assert.Single(sync.Im.CallsTo(FakeImApis.ModifyGroupMsg));
        Assert.Single(sync.Gateway.Legacy.Received, e => e.Type == "im.c2c.message.edited");
        Assert.Single(sync.Gateway.Legacy.Received, e => e.Type == "im.group.message.edited");
        Assert.Equal("See you at 9", TextOf(sync.Im.FindC2CMessage(c2c.MsgKey)!.MsgBody));
    }

    [Fact]
    public async Task A_recall_of_a_message_the_gateway_never_relayed_faults_with_a_clear_reason()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await StartAsync(outcomes);

        await SendAsync(sync, Delta("legacy.c2c.message.recalled", "lg-r-404", new JsonObject
        {
            ["from"] = "u_a", ["to"] = "u_b", ["target"] = new JsonObject { ["legacyMessageId"] = "L-never-relayed" },
        }));

        await Eventually.AssertAsync(async () => (await sync.Gateway.FaultsAsync(RelayDirection.LegacyToIm)).Count == 1, Wait, "the recall is faulted");
        var reason = Assert.Single(await sync.Gateway.FaultsAsync(RelayDirection.LegacyToIm)).Reason;
        Assert.Contains("legacyMessageId L-never-relayed", reason, StringComparison.Ordinal);
        Assert.Contains("not in the message ledger", reason, StringComparison.Ordinal);
        Assert.Empty(sync.Im.CallsTo(FakeImApis.AdminMsgWithdraw));
    }

    [Fact]
    public async Task Read_marks_profiles_and_friends_cross_both_ways_once()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await StartAsync(outcomes);

        // Legacy → IM.
        await SendAsync(sync,
            Delta("legacy.c2c.message.read", "lg-read-1", new JsonObject { ["reader"] = "u_b", ["peer"] = "u_a", ["readUpTo"] = 1736921000 }),
            Delta("legacy.profile.changed", "lg-prof-1", new JsonObject
            {
                ["userId"] = "u_a", ["nick"] = "Ana", ["custom"] = new JsonObject { ["Tag_Profile_Custom_Level"] = 7 },
            }),
            Delta("legacy.friend.added", "lg-fr-1", new JsonObject { ["from"] = "u_a", ["to"] = "u_b" }),
            Delta("legacy.friend.added", "lg-fr-2", new JsonObject { ["from"] = "u_b", ["to"] = "u_a" }),
            Delta("legacy.friend.added", "lg-fr-3", new JsonObject { ["from"] = "u_a", ["to"] = "u_c" }),
            Delta("legacy.friend.removed", "lg-fr-4", new JsonObject { ["from"] = "u_a", ["to"] = "u_c" }));
        await Eventually.AssertAsync(() => Task.FromResult(
            sync.Im.GetReadMark("u_b", "u_a") == 1736921000
            && sync.Im.GetProfile("u_a").TryGetValue("Tag_Profile_IM_Nick", out var nick) && (string?)nick == "Ana"
            && sync.Im.GetFriends("u_a").SequenceEqual(["u_b"]) && sync.Im.GetFriends("u_b").SequenceEqual(["u_a"])), Wait, "read mark, profile and friends in IM");
        Assert.Equal(7, (int)sync.Im.GetProfile("u_a")["Tag_Profile_Custom_Level"]!);

        // IM → legacy.
        await sync.Im.SimulateUserReadC2CAsync("u_a", "u_b", 1736922000);
        await sync.Im.SimulateUserProfileChangeAsync("u_c", ("Tag_Profile_IM_Nick", JsonValue.Create("Cy")));
        await sync.Im.SimulateUserAddFriendAsync("u_b", "u_c");
        await sync.Im.SimulateUserDeleteFriendAsync("u_a", "u_b", both: false);
        var read = await ReceivedAsync(sync, "im.c2c.message.read");
        Assert.Equal(("u_a", "u_b", 1736922000L), (read.Data.GetProperty("reader").GetString(), read.Data.GetProperty("peer").GetString(), read.Data.GetProperty("readUpTo").GetInt64()));
        var profile = await ReceivedAsync(sync, "im.profile.changed");
        Assert.Equal(("user:u_c", "Cy"), (profile.Subject, profile.Data.GetProperty("nick").GetString()));
        await Eventually.AssertAsync(() => Task.FromResult(sync.Gateway.Legacy.Received.Count(e => e.Type == "im.friend.added") == 2), Wait, "both edges of the IM friendship");
        Assert.Equal(["u_b>u_c", "u_c>u_b"], sync.Gateway.Legacy.Received.Where(e => e.Type == "im.friend.added").Select(Pair).Order());
        Assert.Equal("u_a>u_b", Pair(await ReceivedAsync(sync, "im.friend.removed")));

        // Echoes: 6 IM callbacks of the gateway's writes (read, profile, 3 adds, 1 delete); 5 legacy echoes of the relays
        // (read, profile, 2 adds, 1 removal).
        await WaitForEchoesAsync(outcomes, toLegacy: 5, toIm: 6);
        Assert.Single(sync.Im.CallsTo(FakeImApis.AdminSetMsgRead));
        Assert.Single(sync.Im.CallsTo(FakeImApis.PortraitSet));
        Assert.Equal(3, sync.Im.CallsTo(FakeImApis.FriendAdd).Count);
        Assert.Single(sync.Im.CallsTo(FakeImApis.FriendDelete));
        Assert.Single(sync.Gateway.Legacy.Received, e => e.Type == "im.c2c.message.read");
        Assert.Single(sync.Gateway.Legacy.Received, e => e.Type == "im.profile.changed");
        Assert.Single(sync.Gateway.Legacy.Received, e => e.Type == "im.friend.removed");
        Assert.Equal(["u_a"], sync.Im.GetFriends("u_b").Where(f => f != "u_c"));
        Assert.Equal(0, outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Faulted] + outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Faulted]);
    }

    [Fact]
    public async Task Member_roles_name_cards_and_the_owner_cross_both_ways_once()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await StartAsync(outcomes);
        await sync.Im.SimulateUserInviteToGroupAsync(Group, "u_a", ["u_c"]);
        await ReceivedAsync(sync, "im.group.member.joined");

        await SendAsync(sync, Delta("legacy.group.member.changed", "lg-mc-1", new JsonObject { ["groupId"] = Group, ["member"] = "u_b", ["role"] = "Admin", ["nameCard"] = "Bee" }));
        await Eventually.AssertAsync(() => Task.FromResult(Member(sync, "u_b") is { Role: "Admin", NameCard: "Bee" }), Wait, "u_b an admin named Bee in IM");

        await sync.Im.SimulateUserChangeMemberAsync(Group, "u_a", "u_c", nameCard: "Cee");
        var changed = await ReceivedAsync(sync, "im.group.member.changed");
        Assert.Equal(("u_c", "Cee"), (changed.Data.GetProperty("member").GetString(), changed.Data.GetProperty("nameCard").GetString()));
        await sync.Im.SimulateUserTransferOwnershipAsync(Group, "u_a", "u_c");
        var owner = await ReceivedAsync(sync, "im.group.owner.changed");
        Assert.Equal(("u_c", "u_a"), (owner.Data.GetProperty("newOwner").GetString(), owner.Data.GetProperty("oldOwner").GetString()));

        await SendAsync(sync, Delta("legacy.group.owner.changed", "lg-owner-1", new JsonObject { ["groupId"] = Group, ["newOwner"] = "u_b" }));
        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetGroup(Group)!.Owner == "u_b"), Wait, "u_b the owner in IM");

        // Towards IM: legacy posted back the join, the member change and the owner change it received. Towards legacy:
        // IM called back for the member change and the owner change the gateway made.
        await WaitForEchoesAsync(outcomes, toLegacy: 3, toIm: 2);
        Assert.Single(sync.Im.CallsTo(FakeImApis.ModifyGroupMemberInfo));
        Assert.Single(sync.Im.CallsTo(FakeImApis.ChangeGroupOwner));
        Assert.Single(sync.Gateway.Legacy.Received, e => e.Type == "im.group.member.changed");
        Assert.Single(sync.Gateway.Legacy.Received, e => e.Type == "im.group.owner.changed");
    }

    private static FakeGroupMember? Member(TwoWaySync sync, string account) => sync.Im.GetGroup(Group)!.Members.SingleOrDefault(m => m.Account == account);

    /// <summary>Waits until every echo was suppressed, then a moment more: an echo that was not would show as an extra write or delivery.</summary>
    private static async Task WaitForEchoesAsync(OutcomeCounter outcomes, int toLegacy, int toIm)
    {
        // The group creation's echo is the first legacy → IM suppression.
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, 1 + toLegacy, Wait);
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho, toIm, Wait);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(1 + toLegacy, outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho]);
        Assert.Equal(toIm, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho]);
    }

    private static async Task<FakeC2CMessage> OneC2CAsync(TwoWaySync sync, string a, string b)
    {
        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetC2CMessages(a, b).Count == 1), Wait, "the 1:1 message in IM");
        return sync.Im.GetC2CMessages(a, b)[0];
    }

    private static async Task<FakeGroupMessage> OneGroupMessageAsync(TwoWaySync sync)
    {
        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetGroup(Group)!.Messages.Count == 1), Wait, "the group message in IM");
        return sync.Im.GetGroup(Group)!.Messages[0];
    }

    private static async Task<ReceivedCloudEvent> ReceivedAsync(TwoWaySync sync, string type, Func<ReceivedCloudEvent, bool>? match = null)
    {
        await Eventually.AssertAsync(() => Task.FromResult(sync.Gateway.Legacy.Received.Any(e => e.Type == type && (match?.Invoke(e) ?? true))), Wait, type + " at legacy");
        return sync.Gateway.Legacy.Received.First(e => e.Type == type && (match?.Invoke(e) ?? true));
    }

    private static async Task SendAsync(TwoWaySync sync, params JsonObject[] deltas)
    {
        using var answer = await sync.Legacy.SendAsync(deltas);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
    }

    private static JsonObject Delta(string type, string id, JsonObject data) => LegacyDeltaSender.Delta(type, id, data);

    private static JsonObject C2C(string id, string legacyId, string from, string to, string text)
        => Delta("legacy.c2c.message.sent", id, new JsonObject { ["from"] = from, ["to"] = to, ["body"] = Body(text), ["legacyMessageId"] = legacyId });

    private static JsonObject GroupMessage(string id, string legacyId, string from, string text)
        => Delta("legacy.group.message.sent", id, new JsonObject { ["groupId"] = Group, ["from"] = from, ["body"] = Body(text), ["legacyMessageId"] = legacyId });

    private static JsonArray Body(string text) => FakeImServer.TextBody(text).DeepClone().AsArray();

    private static string TextOf(JsonArray body) => body[0]!["MsgContent"]!["Text"]!.GetValue<string>();

    private static string Pair(ReceivedCloudEvent e) => $"{e.Data.GetProperty("from").GetString()}>{e.Data.GetProperty("to").GetString()}";
}
