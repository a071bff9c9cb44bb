using System.Net;
using System.Text.Json.Nodes;
using SyncGateway.Messaging;
using SyncGateway.Fakes;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.FromLegacy;

/// <summary>
/// Rotating the key legacy signs its deltas with, without downtime: the gateway first accepts the old and the new
/// secret side by side, legacy switches over, then the gateway drops the old one.
/// </summary>
public sealed class IngressKeyRotationTests
{
    private const string OldSecret = GatewayHost.IngressSecret;
    private const string NewSecret = "whsec_bmV3LWluZ3Jlc3Mtc2VjcmV0LWFmdGVyLXJvdGF0aW9u";
    private const string UnknownSecret = "whsec_bm90LWEtc2VjcmV0LXRoZS1nYXRld2F5LWtub3dz";

    [Fact]
    public async Task Accepts_deltas_signed_by_the_old_the_new_or_both_secrets_during_rotation_and_refuses_one_signed_by_neither()
    {
        using var outcomes = new OutcomeCounter();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Legacy:IngressSecret"] = $"{OldSecret} {NewSecret}" });

        using var oldOnly = await SendAsync(gateway, OldSecret, "lg-rotation-old");
        using var newOnly = await SendAsync(gateway, NewSecret, "lg-rotation-new");
        using var both = await SendAsync(gateway, $"{OldSecret} {NewSecret}", "lg-rotation-both");
        using var neither = await SendAsync(gateway, UnknownSecret, "lg-rotation-neither");

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted], [oldOnly.StatusCode, newOnly.StatusCode, both.StatusCode]);
        Assert.Equal(HttpStatusCode.Unauthorized, neither.StatusCode);
        Assert.Equal(3, outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Published]);
    }

    [Fact]
    public async Task Refuses_a_delta_signed_by_the_old_secret_once_only_the_new_one_is_configured()
    {
        using var outcomes = new OutcomeCounter();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Legacy:IngressSecret"] = NewSecret });

        using var oldOnly = await SendAsync(gateway, OldSecret, "lg-rotated-old");
        using var newOnly = await SendAsync(gateway, NewSecret, "lg-rotated-new");

        Assert.Equal(HttpStatusCode.Unauthorized, oldOnly.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, newOnly.StatusCode);
        Assert.Equal(1, outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Published]);
    }

    [Theory]
    [InlineData("v1,")]
    [InlineData("v1,not base64 at all")]
    [InlineData("garbage,,, v2,")]
    public async Task Answers_a_malformed_signature_header_with_401(string header)
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Legacy:IngressSecret"] = $"{OldSecret} {NewSecret}" });
        using var content = new StringContent("""{"specversion":"1.0","id":"lg-bad-sig","source":"/legacy","type":"legacy.group.dismissed","data":{"groupId":"g1"}}""");
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/cloudevents+json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/legacy/events") { Content = content };
        request.Headers.Add("webhook-id", "msg_bad_signature");
        request.Headers.Add("webhook-timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", header);

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Task<HttpResponseMessage> SendAsync(GatewayHost gateway, string secrets, string id)
        => new LegacyDeltaSender(gateway.Client, new Uri(gateway.Client.BaseAddress!, "/legacy/events"), secrets)
            .SendAsync(LegacyDeltaSender.Delta("legacy.group.dismissed", id, new JsonObject { ["groupId"] = "g_rotation" }));
}
