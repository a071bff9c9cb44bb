using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SyncGateway.Fakes.Im;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.FromLegacy;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using static SyncGateway.IntegrationTests.FromIm.CallbackBodies;

namespace SyncGateway.IntegrationTests.Input;

/// <summary>What the real host answers to input an attacker or a buggy client sends: a clear 4xx, nothing published.</summary>
public sealed class HostileInputTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly (string Command, string Body)[] AllSevenCommands =
    [
        (C2C, C2CMessage("u_1", "u_2", 1, "hi")),
        (GroupCreated, Created("@TGS#1")),
        (GroupDestroyed, Destroyed("@TGS#1")),
        (GroupInfoChanged, InfoChanged("@TGS#1")),
        (MemberJoined, Joined("@TGS#1")),
        (MemberExited, Exited("@TGS#1")),
        (GroupMessage, GroupMsg("@TGS#1", 7)),
    ];

    [Fact]
    public async Task An_event_time_past_the_year_9999_is_a_400_on_every_callback_command()
    {
        using var outcomes = new OutcomeCounter();
        await using var gateway = await GatewayHost.StartAsync();

        foreach (var (command, body) in AllSevenCommands)
        {
            foreach (var time in new[] { "253402300800000", long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                var response = await gateway.PostCallbackAsync(command, Edit(body, json => json["EventTime"] = JsonNode.Parse(time)));

                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Contains("past the year 9999", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }
        var msgTimeOnly = Edit(C2CMessage("u_1", "u_2", 2, "hi"), json => json["MsgTime"] = 253402300800);
        Assert.Equal(HttpStatusCode.BadRequest, (await gateway.PostCallbackAsync(C2C, msgTimeOnly)).StatusCode);
        Assert.Equal(0, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Published]);
    }

    [Fact]
    public async Task An_empty_body_is_a_400_on_both_intakes()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var callback = await gateway.PostCallbackAsync(C2C, "");
        var delta = await LegacyIngressRefusalTests.PostAsync(gateway, "");

        Assert.Equal(HttpStatusCode.BadRequest, callback.StatusCode);
        Assert.Contains("the body is empty", await callback.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, delta.StatusCode);
        Assert.Contains("the body is empty", await delta.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_surrogate_or_deep_nesting_in_message_content_is_a_400_naming_the_field_not_a_503()
    {
        using var outcomes = new OutcomeCounter();
        await using var gateway = await GatewayHost.StartAsync();
        var surrogate = C2CMessage("u_1", "u_2", 3, "PLACEHOLDER").Replace("PLACEHOLDER", "\\ud800", StringComparison.Ordinal);
        var deep = Edit(C2CMessage("u_1", "u_2", 4, "hi"), json => json["MsgBody"]![0]!["MsgContent"]!["Nested"] = Nested(60));

        var surrogateAnswer = await gateway.PostCallbackAsync(C2C, surrogate);
        var deepAnswer = await gateway.PostCallbackAsync(C2C, deep);
        var deltaAnswer = await LegacyIngressRefusalTests.PostAsync(gateway, Delta("lg-s1", "\\ud800"));

        Assert.Equal(HttpStatusCode.BadRequest, surrogateAnswer.StatusCode);
        Assert.Contains("$.MsgBody[0].MsgContent.Text", await surrogateAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, deepAnswer.StatusCode);
        Assert.Contains("nested deeper than", await deepAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, deltaAnswer.StatusCode);
        Assert.Contains("data.body[0].msgContent.Text", await deltaAnswer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Published] + outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Published]);
    }

    [Fact]
    public async Task A_batch_with_one_bad_event_publishes_nothing_and_the_same_batch_sent_twice_reaches_IM_once_per_event()
    {
        using var outcomes = new OutcomeCounter();
        await using var im = new FakeImServer(new FakeImOptions { SdkAppId = GatewayHost.SdkAppId, CallbackToken = GatewayHost.CallbackToken });
        await im.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(GatewayHost.ImSettings(im));

        var refused = await LegacyIngressRefusalTests.PostAsync(gateway, $"[{Delta("lg-b1", "fine")},{Delta("lg-b2", "\\ud800")}]",
            contentType: "application/cloudevents-batch+json");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(0, outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Published]);

        // A sender that got no answer sends the same batch again: harmless, each event id is applied once.
        var batch = $"[{Delta("lg-b3", "one")},{Delta("lg-b4", "two")}]";
        var first = await LegacyIngressRefusalTests.PostAsync(gateway, batch, contentType: "application/cloudevents-batch+json");
        var again = await LegacyIngressRefusalTests.PostAsync(gateway, batch, contentType: "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Duplicate, 2, Wait);
        Assert.Equal(2, outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Applied]);
        Assert.Equal(["one", "two"], im.CallsTo(FakeImApis.SendMsg).Select(c => c.Body!["MsgBody"]![0]!["MsgContent"]!["Text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_lone_surrogate_in_an_envelope_attribute_or_the_callback_command_is_a_400()
    {
        await using var gateway = await GatewayHost.StartAsync();

        foreach (var attribute in new[] { "id", "type", "source" })
        {
            var delta = Delta("lg-e1", "hi").Replace(attribute == "id" ? "\"lg-e1\"" : attribute == "type" ? "\"legacy.c2c.message.sent\"" : "\"/legacy\"",
                "\"x\\udc00\"", StringComparison.Ordinal);
            var answer = await LegacyIngressRefusalTests.PostAsync(gateway, delta);

            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.Contains($"\"field\":\"{attribute}\"", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var callback = C2CMessage("u_1", "u_2", 5, "hi").Replace("\"C2C.CallbackAfterSendMsg\"", "\"C2C.\\ud800\"", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await gateway.PostCallbackAsync(C2C, callback)).StatusCode);
    }

    [Fact]
    public async Task A_callback_command_in_the_body_that_differs_from_the_query_is_a_400()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var response = await gateway.PostCallbackAsync(GroupMessage, C2CMessage("u_1", "u_2", 6, "hi"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Group.CallbackAfterSendMsg in the query but C2C.CallbackAfterSendMsg in the body", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Delta(string id, string text) => $$$"""
        {"specversion":"1.0","id":"{{{id}}}","source":"/legacy","type":"legacy.c2c.message.sent",
         "data":{"from":"u_a","to":"u_b","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"{{{text}}}"}}]}}
        """;

    private static string Edit(string body, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        edit(json);
        return json.ToJsonString();
    }

    private static JsonNode Nested(int levels)
    {
        JsonNode node = new JsonObject();
        for (var i = 1; i < levels; i++)
        {
            node = new JsonObject { ["n"] = node };
        }
        return node;
    }
}
