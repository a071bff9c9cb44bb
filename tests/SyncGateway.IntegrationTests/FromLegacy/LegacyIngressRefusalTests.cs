using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.FromLegacy;

public sealed class LegacyIngressRefusalTests
{
    private const string ValidEvent = """
        {"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.c2c.message.sent",
         "data":{"from":"u_1","to":"u_2","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"hi"}}]}}
        """;

    [Fact]
    public async Task Returns_401_for_a_missing_wrong_or_stale_signature()
    {
        await using var gateway = await GatewayHost.StartAsync();

        var unsigned = await PostAsync(gateway, ValidEvent, sign: false);
        var wrongKey = await PostAsync(gateway, ValidEvent, secret: "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("another-secret-entirely")));
        var stale = await PostAsync(gateway, ValidEvent, timestamp: DateTimeOffset.UtcNow.AddMinutes(-10));

        Assert.All([unsigned, wrongKey, stale], r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        Assert.Contains("replay window", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Returns_400_naming_each_bad_event_and_field()
    {
        await using var gateway = await GatewayHost.StartAsync();
        const string batch = """
            [{"specversion":"1.0","id":"ok-1","source":"/legacy","type":"legacy.group.dismissed","data":{"groupId":"g1"}},
             {"specversion":"1.0","id":"bad-1","source":"/legacy","type":"legacy.c2c.message.sent","data":{"to":"u_2","body":[]}},
             {"specversion":"1.0","id":"bad-2","source":"/legacy","type":"legacy.group.renamed","data":{}}]
            """;

        var response = await PostAsync(gateway, batch, contentType: "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("id").GetString(), e.GetProperty("field").GetString())).ToList();
        Assert.Contains(("bad-1", "data.from"), errors);
        Assert.Contains(("bad-1", "data.body"), errors);
        Assert.Contains(("bad-2", "type"), errors);
        Assert.DoesNotContain(errors, e => e.Item1 == "ok-1");
    }

    [Fact]
    public async Task Returns_400_naming_the_attribute_for_envelopes_cloud_events_refuses()
    {
        await using var gateway = await GatewayHost.StartAsync();
        const string batch = """
            [{"specversion":"1.0","source":"/legacy","type":"legacy.group.dismissed","data":{"groupId":"g1"}},
             {"specversion":"1.0","id":"bad-time","source":"/legacy","type":"legacy.group.dismissed","time":"15/01/2025","data":{"groupId":"g1"}},
             {"specversion":"1.0","id":"bad-name","source":"/legacy","type":"legacy.group.dismissed","legacyId":"L-1","data":{"groupId":"g1"}},
             {"specversion":"1.0","id":"bad-value","source":"/legacy","type":"legacy.group.dismissed","meta":{"a":1},"data":{"groupId":"g1"}}]
            """;

        var response = await PostAsync(gateway, batch, contentType: "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString())).ToList();
        Assert.Equal([(0, "id"), (1, "time"), (2, "legacyId"), (3, "meta")], errors);
    }

    [Fact]
    public async Task Returns_413_for_an_oversized_body_and_415_for_another_content_type()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Legacy:IngressMaxBodyBytes"] = "2048" });

        var oversized = await PostAsync(gateway, ValidEvent.Replace("hi", new string('x', 4096), StringComparison.Ordinal));
        var plainJson = await PostAsync(gateway, ValidEvent, contentType: "application/json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, plainJson.StatusCode);
    }

    internal static Task<HttpResponseMessage> PostAsync(GatewayHost gateway, string body, bool sign = true, string? secret = null,
        DateTimeOffset? timestamp = null, string contentType = "application/cloudevents+json", string? webhookId = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        var request = new HttpRequestMessage(HttpMethod.Post, "/legacy/events") { Content = content };
        if (sign)
        {
            var id = webhookId ?? "msg_" + Guid.NewGuid().ToString("N");
            var ts = (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
            var key = StandardWebhooks.TryDecodeSecret(secret ?? GatewayHost.IngressSecret)!;
            request.Headers.Add("webhook-id", id);
            request.Headers.Add("webhook-timestamp", ts.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", StandardWebhooks.Sign(key, id, ts, bytes));
        }
        return gateway.Client.SendAsync(request);
    }
}
