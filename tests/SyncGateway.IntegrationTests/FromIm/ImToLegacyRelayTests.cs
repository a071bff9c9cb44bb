using System.Net;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using static SyncGateway.IntegrationTests.FromIm.CallbackBodies;

namespace SyncGateway.IntegrationTests.FromIm;

public sealed class ImToLegacyRelayTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task All_seven_callbacks_arrive_at_legacy_as_typed_signed_cloud_events()
    {
        await using var gateway = await GatewayHost.StartAsync();
        var posts = new (string Command, string Body, string Type, string Subject)[]
        {
            (C2C, C2CMessage("u_20017", "u_10086", 1, "See you at 7?"), "im.c2c.message.sent", "c2c:u_10086:u_20017"),
            (GroupCreated, Created("@TGS#a"), "im.group.created", "group:@TGS#a"),
            (GroupInfoChanged, InfoChanged("@TGS#b"), "im.group.profile.changed", "group:@TGS#b"),
            (MemberJoined, Joined("@TGS#c"), "im.group.member.joined", "group:@TGS#c"),
            (MemberExited, Exited("@TGS#d"), "im.group.member.left", "group:@TGS#d"),
            (GroupMessage, GroupMsg("@TGS#e", 42), "im.group.message.sent", "group:@TGS#e"),
            (GroupDestroyed, Destroyed("@TGS#f"), "im.group.dismissed", "group:@TGS#f"),
        };

        foreach (var (command, body, _, _) in posts)
        {
            var response = await gateway.PostCallbackAsync(command, body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}""", await response.Content.ReadAsStringAsync());
        }

        var received = await gateway.Legacy.WaitForAsync(posts.Length, Wait);
        foreach (var (_, _, type, subject) in posts)
        {
            var cloudEvent = Assert.Single(received, e => e.Type == type);
            Assert.Equal(subject, cloudEvent.Subject);
            Assert.Equal(cloudEvent.Id, cloudEvent.WebhookId);
            Assert.Equal("1.0", cloudEvent.Event.GetProperty("specversion").GetString());
            Assert.Equal($"/im/{GatewayHost.SdkAppId}", cloudEvent.Event.GetProperty("source").GetString());
        }
        var message = Assert.Single(received, e => e.Type == "im.c2c.message.sent").Data;
        Assert.Equal("u_20017", message.GetProperty("from").GetString());
        Assert.Equal("See you at 7?", message.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString());
        var joined = Assert.Single(received, e => e.Type == "im.group.member.joined").Data;
        Assert.Equal("u_40404", joined.GetProperty("members")[0].GetString());
    }

    [Fact]
    public async Task A_legacy_that_fails_twice_with_503_gets_the_event_exactly_once()
    {
        await using var gateway = await GatewayHost.StartAsync();
        gateway.Legacy.RespondNext(503, 503);

        await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 7, "retry me"));

        var received = await gateway.Legacy.WaitForAsync(1, Wait);
        Assert.Equal(3, gateway.Legacy.Attempts);
        Assert.Single(received);
    }

    [Fact]
    public async Task A_400_from_legacy_faults_the_message_for_an_operator()
    {
        await using var gateway = await GatewayHost.StartAsync();
        gateway.Legacy.RespondNext(400);

        await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 8, "refused"));

        await Eventually.AssertAsync(async () => (await gateway.FaultsAsync(RelayDirection.ImToLegacy)).Count == 1,
            Wait, "the refused event is faulted");
        Assert.Equal(0u, await gateway.QueueDepthAsync("relay.im-to-legacy_error"));
        Assert.Empty(gateway.Legacy.Received);
        Assert.Equal(1, gateway.Legacy.Attempts);
    }

    [Fact]
    public async Task The_same_callback_posted_twice_is_delivered_once()
    {
        await using var gateway = await GatewayHost.StartAsync();
        var body = C2CMessage("u_1", "u_2", 9, "only once");

        await gateway.PostCallbackAsync(C2C, body);
        await gateway.PostCallbackAsync(C2C, body);
        await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 10, "sentinel"));

        var received = await gateway.Legacy.WaitForAsync(2, Wait);
        await Eventually.AssertAsync(async () => await gateway.QueueDepthAsync(gateway.RelayQueueOf(RelayDirection.ImToLegacy, "c2c:u_1:u_2")) == 0, Wait, "queue drained");
        Assert.Equal(2, gateway.Legacy.Received.Count);
        Assert.Single(received, e => e.Data.GetProperty("msgSeq").GetInt64() == 9);
    }

    [Fact]
    public async Task A_forged_callback_gets_401_and_publishes_nothing()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var forged = await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 11, "forged"), token: "not-the-token");
        var stale = await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 12, "stale"),
            requestTime: DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds());
        var unsigned = await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 13, "unsigned"), token: null);
        var foreign = await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 14, "foreign"), sdkAppId: 1400999999);
        await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 15, "sentinel"));

        Assert.All([forged, stale, unsigned, foreign], r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        var received = await gateway.Legacy.WaitForAsync(1, Wait);
        Assert.Equal("sentinel", Assert.Single(received).Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString());
    }

    [Fact]
    public async Task A_malformed_known_callback_gets_400_and_an_unknown_command_gets_ok_and_neither_is_published()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var malformed = await gateway.PostCallbackAsync(C2C, """{"CallbackCommand":"C2C.CallbackAfterSendMsg","To_Account":"u_2","MsgBody":[]}""");
        var unknown = await gateway.PostCallbackAsync("Group.CallbackAfterGroupFull", """{"CallbackCommand":"Group.CallbackAfterGroupFull","GroupId":"g"}""");
        await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 16, "sentinel"));

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("From_Account", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Single(await gateway.Legacy.WaitForAsync(1, Wait));
    }

    [Fact]
    public async Task Events_of_one_conversation_arrive_in_order_while_some_are_retried()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Legacy:DeliveryAttempts"] = "1" });
        var random = new Random(1234);
        gateway.Legacy.Responder = _ => random.NextDouble() < 0.3 ? 503 : null;
        const int perConversation = 40;

        for (var seq = 1; seq <= perConversation; seq++)
        {
            Assert.Equal(HttpStatusCode.OK, (await gateway.PostCallbackAsync(C2C, C2CMessage("u_a", "u_b", seq, $"m{seq}"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await gateway.PostCallbackAsync(GroupMessage, GroupMsg("@TGS#order", seq))).StatusCode);
        }

        var received = await gateway.Legacy.WaitForAsync(2 * perConversation, TimeSpan.FromSeconds(90));
        Assert.True(gateway.Legacy.Attempts > received.Count, "some deliveries were refused and retried");
        var c2c = received.Where(e => e.Subject == "c2c:u_a:u_b").Select(e => e.Data.GetProperty("msgSeq").GetInt64()).ToList();
        var group = received.Where(e => e.Subject == "group:@TGS#order").Select(e => e.Data.GetProperty("msgSeq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, perConversation).Select(i => (long)i), c2c);
        Assert.Equal(Enumerable.Range(1, perConversation).Select(i => (long)i), group);
    }
}
