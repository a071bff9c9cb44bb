using System.Net;
using SyncGateway.Messaging;
using SyncGateway.Fakes.Im;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.IntegrationTests.FromLegacy;

namespace SyncGateway.IntegrationTests.ToIm;

public sealed class LegacyToImTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static async Task<(GatewayHost Gateway, FakeImServer Im)> StartAsync()
    {
        var im = new FakeImServer(new FakeImOptions { SdkAppId = GatewayHost.SdkAppId, CallbackToken = GatewayHost.CallbackToken });
        await im.StartAsync();
        var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Im:ApiBaseUrl"] = im.BaseUrl.GetLeftPart(UriPartial.Authority),
            ["Im:SecretKey"] = im.Options.SecretKey,
            ["Im:AdminIdentifier"] = im.Options.AdminIdentifier,
            // Let IM call back for our own sends too, so the origin tags (not IM's flag) must catch every echo.
            ["Im:ForbidCallbacksOnSend"] = "false",
        });
        im.Options.CallbackUrl = new Uri(gateway.Client.BaseAddress!, "/im/callbacks");
        return (gateway, im);
    }

    private const string AllSevenTypes = """
        [{"specversion":"1.0","id":"lg-create","source":"/legacy","type":"legacy.group.created","data":{"groupId":"g_legacy_42","type":"Public","name":"Ops team","owner":"u_1","members":["u_2"]}},
         {"specversion":"1.0","id":"lg-join","source":"/legacy","type":"legacy.group.member.joined","data":{"groupId":"g_legacy_42","members":["u_3","u_4"]}},
         {"specversion":"1.0","id":"lg-rename","source":"/legacy","type":"legacy.group.profile.changed","data":{"groupId":"g_legacy_42","name":"Ops team EU","notification":"rota"}},
         {"specversion":"1.0","id":"lg-gmsg","source":"/legacy","type":"legacy.group.message.sent","data":{"groupId":"g_legacy_42","from":"u_3","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"Deploy done"}}]}},
         {"specversion":"1.0","id":"lg-c2c","source":"/legacy","type":"legacy.c2c.message.sent","data":{"from":"u_1","to":"u_2","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"See you at 5"}}]}},
         {"specversion":"1.0","id":"lg-left","source":"/legacy","type":"legacy.group.member.left","data":{"groupId":"g_legacy_42","members":["u_4"]}},
         {"specversion":"1.0","id":"lg-dismiss","source":"/legacy","type":"legacy.group.dismissed","data":{"groupId":"g_legacy_42"}}]
        """;

    [Fact]
    public async Task Each_legacy_type_becomes_its_IM_call_and_no_echo_comes_back_to_legacy()
    {
        using var outcomes = new OutcomeCounter();
        var (gateway, im) = await StartAsync();
        await using var _ = gateway;
        await using var __ = im;

        var response = await LegacyIngressRefusalTests.PostAsync(gateway, AllSevenTypes, contentType: "application/cloudevents-batch+json");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var send = Assert.Single(await im.WaitForCallsAsync("openim/sendmsg", 1, Wait));
        Assert.Equal("u_1", send.Body!["From_Account"]!.GetValue<string>());
        Assert.Equal("u_2", send.Body!["To_Account"]!.GetValue<string>());
        Assert.Equal("See you at 5", send.Body!["MsgBody"]![0]!["MsgContent"]!["Text"]!.GetValue<string>());
        Assert.Single(await im.WaitForCallsAsync("group_open_http_svc/create_group", 1, Wait));
        var add = Assert.Single(await im.WaitForCallsAsync("group_open_http_svc/add_group_member", 1, Wait));
        Assert.Equal(["u_3", "u_4"], add.Body!["MemberList"]!.AsArray().Select(m => m!["Member_Account"]!.GetValue<string>()));
        Assert.Single(await im.WaitForCallsAsync("group_open_http_svc/modify_group_base_info", 1, Wait));
        Assert.Single(await im.WaitForCallsAsync("group_open_http_svc/send_group_msg", 1, Wait));
        Assert.Single(await im.WaitForCallsAsync("group_open_http_svc/delete_group_member", 1, Wait));
        Assert.Single(await im.WaitForCallsAsync("group_open_http_svc/destroy_group", 1, Wait));

        // Every IM write raised its callback; each must be taken as an echo before a real user message is sent.
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho, 7, Wait);
        Assert.Equal(7, im.Callbacks.Count);
        Assert.All(im.Callbacks, c => Assert.True(c.Delivered, $"{c.Command}: {c.StatusCode} {c.Error}"));
        await im.SimulateUserC2CMessageAsync("u_9", "u_1", "a real message");
        var received = await gateway.Legacy.WaitForAsync(1, Wait);
        Assert.Equal("c2c:u_1:u_9", Assert.Single(received).Subject);
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Relayed, 1, Wait);
        Assert.Equal(1, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Relayed]);
    }

    [Fact]
    public async Task A_duplicate_delta_is_applied_once_and_a_rate_limited_call_is_retried_and_succeeds_once()
    {
        var (gateway, im) = await StartAsync();
        await using var _ = gateway;
        await using var __ = im;
        im.FailNext("openim/sendmsg", 60007, times: 1);
        const string delta = """
            {"specversion":"1.0","id":"lg-dup","source":"/legacy","type":"legacy.c2c.message.sent","data":{"from":"u_1","to":"u_2","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"once"}}]}}
            """;

        Assert.Equal(HttpStatusCode.Accepted, (await LegacyIngressRefusalTests.PostAsync(gateway, delta)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await LegacyIngressRefusalTests.PostAsync(gateway, delta)).StatusCode);
        const string sentinel = """
            {"specversion":"1.0","id":"lg-next","source":"/legacy","type":"legacy.c2c.message.sent","data":{"from":"u_1","to":"u_2","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"next"}}]}}
            """;
        Assert.Equal(HttpStatusCode.Accepted, (await LegacyIngressRefusalTests.PostAsync(gateway, sentinel)).StatusCode);

        await Eventually.AssertAsync(() => Task.FromResult(im.GetC2CMessages("u_1", "u_2").Count == 2), Wait, "both distinct messages stored in IM");
        var calls = im.CallsTo("openim/sendmsg");
        Assert.Equal(60007, calls[0].ErrorCode);
        Assert.Equal(calls[0].Body!["MsgRandom"]!.ToJsonString(), calls[1].Body!["MsgRandom"]!.ToJsonString());
        Assert.Equal(["once", "next"], im.GetC2CMessages("u_1", "u_2").Select(m => m.MsgBody[0]!["MsgContent"]!["Text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_permanent_IM_error_faults_the_delta_with_its_code()
    {
        var (gateway, im) = await StartAsync();
        await using var _ = gateway;
        await using var __ = im;
        im.FailNext("openim/sendmsg", 90001, times: 1, errorInfo: "json format error");
        const string delta = """
            {"specversion":"1.0","id":"lg-bad","source":"/legacy","type":"legacy.c2c.message.sent","data":{"from":"u_1","to":"u_2","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"refused"}}]}}
            """;

        Assert.Equal(HttpStatusCode.Accepted, (await LegacyIngressRefusalTests.PostAsync(gateway, delta)).StatusCode);

        await Eventually.AssertAsync(async () => (await gateway.FaultsAsync(RelayDirection.LegacyToIm)).Count == 1, Wait, "the delta is faulted");
        var reason = Assert.Single(await gateway.FaultsAsync(RelayDirection.LegacyToIm)).Reason;
        Assert.Contains("90001", reason, StringComparison.Ordinal);
        Assert.Single(im.CallsTo("openim/sendmsg"));
        Assert.Empty(im.GetC2CMessages("u_1", "u_2"));
    }
}
