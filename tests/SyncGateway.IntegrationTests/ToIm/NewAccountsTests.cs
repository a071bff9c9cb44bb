using System.Net;
using System.Text.Json.Nodes;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.ToIm;

/// <summary>
/// A user created on the legacy side after the history import, whom IM therefore does not know, sends and receives
/// 1:1 and group messages through the gateway: once announced with <c>legacy.account.created</c>, once through the
/// safety net that imports accounts IM answers "not imported" for.
/// </summary>
public sealed class NewAccountsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string Group = "g_team";

    private static async Task<TwoWaySync> StartAsync(bool importMissingAccounts)
    {
        var sync = await TwoWaySync.StartAsync(LegacyEcho.None, new Dictionary<string, string?>
        {
            ["ToIm:ImportMissingAccounts"] = importMissingAccounts ? "true" : "false",
        });
        // As IM is after the history import: only the imported users exist, and a team group with two of them.
        sync.Im.Options.RequireImportedAccounts = true;
        sync.Im.SeedAccounts("u_old1", "u_old2");
        await sync.Im.SimulateUserCreateGroupAsync("u_old1", "Team", groupId: Group, members: ["u_old2"]);
        await sync.Gateway.Legacy.WaitForAsync(1, Wait);
        return sync;
    }

    [Fact]
    public async Task A_user_announced_with_legacy_account_created_sends_and_receives_1to1_and_group_messages()
    {
        await using var sync = await StartAsync(importMissingAccounts: false);

        await SendAsync(sync,
            LegacyDeltaSender.Delta("legacy.account.created", "lg-acct-new", new JsonObject
            {
                ["userId"] = "u_new", ["nick"] = "Nia", ["faceUrl"] = "https://cdn.example.com/a/new.png",
            }),
            LegacyDeltaSender.Delta("legacy.account.created", "lg-acct-new2", new JsonObject { ["userId"] = "u_new2" }),
            LegacyDeltaSender.Delta("legacy.account.created", "lg-acct-new3", new JsonObject { ["userId"] = "u_new3" }));
        // An account travels on user:<id>, messages on their conversations: legacy sends the account first and the
        // messages once it is in (with the safety net off nothing else would import the user).
        await Eventually.AssertAsync(() => Task.FromResult(NewUsers.All(sync.Im.IsImported)), Wait, "the new users imported into IM");

        await ExchangeMessagesAsync(sync);

        var imports = sync.Im.CallsTo(FakeImApis.AccountImport);
        Assert.Equal(3, imports.Count);
        Assert.Contains(imports, call => call.Body!.ToJsonString() == """{"UserID":"u_new","Nick":"Nia","FaceUrl":"https://cdn.example.com/a/new.png"}""");
        Assert.Equal("Nia", sync.Im.GetProfile("u_new")["Tag_Profile_IM_Nick"]!.GetValue<string>());
        Assert.All(sync.Im.Calls, call => Assert.Equal(0, call.ErrorCode));
    }

    [Fact]
    public async Task A_user_IM_does_not_know_is_imported_by_the_safety_net_and_sends_and_receives_1to1_and_group_messages()
    {
        await using var sync = await StartAsync(importMissingAccounts: true);

        await ExchangeMessagesAsync(sync);

        Assert.All(NewUsers, user => Assert.True(sync.Im.IsImported(user), user));
        var imported = sync.Im.CallsTo(FakeImApis.AccountImport).Select(call => (string?)call.Body!["UserID"]).ToList();
        // sendmsg names both accounts; IM does not say which one it misses, so both were imported.
        Assert.Equal(20003, sync.Im.CallsTo(FakeImApis.SendMsg)[0].ErrorCode);
        Assert.Equal(["u_new", "u_old1"], imported[..2]);
        // add_group_member answers per member; the one it did not add was imported and added on the second call.
        var adds = sync.Im.CallsTo(FakeImApis.AddGroupMember);
        Assert.Equal(2, adds.Count);
        Assert.Equal(["u_new2"], imported[2..3]);
        // send_group_msg names only the sender.
        Assert.Equal(10019, Assert.Single(sync.Im.CallsTo(FakeImApis.SendGroupMsg), call => call.ErrorCode != 0).ErrorCode);
        Assert.Equal(["u_new3"], imported[3..]);
    }

    [Fact]
    public async Task Without_the_safety_net_a_message_of_a_user_IM_does_not_know_faults()
    {
        await using var sync = await StartAsync(importMissingAccounts: false);

        await SendAsync(sync, Message("lg-m-1", "u_new", "u_old1", "hello"));

        await Eventually.AssertAsync(async () => (await sync.Gateway.FaultsAsync(RelayDirection.LegacyToIm)).Count == 1, Wait, "the delta is faulted");
        Assert.Contains("20003", Assert.Single(await sync.Gateway.FaultsAsync(RelayDirection.LegacyToIm)).Reason, StringComparison.Ordinal);
        Assert.Empty(sync.Im.CallsTo(FakeImApis.AccountImport));
    }

    private static readonly string[] NewUsers = ["u_new", "u_new2", "u_new3"];

    /// <summary>
    /// u_new sends to and receives from u_old1 in both directions of the relay; u_new and u_new2 join the team group,
    /// u_new writes in it and reads a group message from IM; u_new3, who never joined, writes in it too. The 1:1
    /// messages go first, so each test knows which call meets an account IM does not have.
    /// </summary>
    private static async Task ExchangeMessagesAsync(TwoWaySync sync)
    {
        await SendAsync(sync, Message("lg-m-1", "u_new", "u_old1", "hello from the new user"), Message("lg-m-2", "u_old1", "u_new", "welcome"));
        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetC2CMessages("u_new", "u_old1").Count == 2), Wait, "both 1:1 messages in IM");
        Assert.Equal(["hello from the new user", "welcome"], sync.Im.GetC2CMessages("u_new", "u_old1").Select(Text));

        await SendAsync(sync,
            LegacyDeltaSender.Delta("legacy.group.member.joined", "lg-join-1", new JsonObject { ["groupId"] = Group, ["members"] = new JsonArray("u_new", "u_new2") }),
            GroupMessage("lg-g-1", "u_new", "hi team"),
            GroupMessage("lg-g-2", "u_new3", "me too"));
        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetGroup(Group)!.Messages.Count == 2), Wait, "both group messages in IM");
        Assert.Equal(["u_new", "u_new3"], sync.Im.GetGroup(Group)!.Messages.Select(m => m.From));
        Assert.Equal(["u_new", "u_new2", "u_old1", "u_old2"], sync.Im.GetGroup(Group)!.Members.Select(m => m.Account).Order(StringComparer.Ordinal));

        await sync.Im.SimulateUserC2CMessageAsync("u_old1", "u_new", "see you");
        await sync.Im.SimulateUserGroupMessageAsync(Group, "u_old2", "welcome, both");
        var received = await sync.Gateway.Legacy.WaitForAsync(3, Wait);
        Assert.Contains(received, e => e.Type == "im.c2c.message.sent" && e.Data.GetProperty("to").GetString() == "u_new");
        Assert.Contains(received, e => e.Type == "im.group.message.sent" && e.Data.GetProperty("from").GetString() == "u_old2");
    }

    private static async Task SendAsync(TwoWaySync sync, params JsonObject[] deltas)
    {
        using var answer = await sync.Legacy.SendAsync(deltas);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
    }

    private static JsonObject Message(string id, string from, string to, string text)
        => LegacyDeltaSender.Delta("legacy.c2c.message.sent", id, new JsonObject { ["from"] = from, ["to"] = to, ["body"] = Body(text) });

    private static JsonObject GroupMessage(string id, string from, string text)
        => LegacyDeltaSender.Delta("legacy.group.message.sent", id, new JsonObject { ["groupId"] = Group, ["from"] = from, ["body"] = Body(text) });

    private static JsonArray Body(string text) => FakeImServer.TextBody(text).DeepClone().AsArray();

    private static string Text(FakeC2CMessage message) => message.MsgBody[0]!["MsgContent"]!["Text"]!.GetValue<string>();
}
