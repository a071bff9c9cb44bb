using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Web;
using Xunit.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using SyncGateway.Fakes.Im;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.FromIm;
using SyncGateway.IntegrationTests.FromIm;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.IntegrationTests.FromLegacy;

namespace SyncGateway.IntegrationTests.Hosting;

/// <summary>What the real host writes to stdout while it relays both ways, refuses forgeries and retries.</summary>
public sealed partial class LogOutputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Categories that only log while handling a request or a consumed message.</summary>
    private static readonly string[] TracedCategories =
    [
        "Serilog.AspNetCore.RequestLoggingMiddleware",
        "SyncGateway.FromIm.ImCallbackEndpointLog",
        "SyncGateway.FromLegacy.LegacyIngressLog",
        "SyncGateway.Messaging.RelaySteps",
        "SyncGateway.ToIm.ImWriter",
        "SyncGateway.Im.ImRestClient",
    ];

    [Fact]
    public async Task A_full_relay_both_ways_writes_JSON_lines_with_trace_ids_and_no_secret()
    {
        var logs = new CapturedLogs();
        await using var im = new FakeImServer(new FakeImOptions { SdkAppId = GatewayHost.SdkAppId, CallbackToken = GatewayHost.CallbackToken, SecretKey = "fake-im-secret-key-0123456789" });
        await im.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Im:ApiBaseUrl"] = im.BaseUrl.GetLeftPart(UriPartial.Authority),
            ["Im:SecretKey"] = im.Options.SecretKey,
            ["Im:AdminIdentifier"] = im.Options.AdminIdentifier,
            // The echo comes back through /im/callbacks and is suppressed in the relay, which logs it.
            ["Im:ForbidCallbacksOnSend"] = "false",
        }, logs.Capture);
        im.Options.CallbackUrl = new Uri(gateway.Client.BaseAddress!, "/im/callbacks");
        var signatures = new List<string>();

        // One failure each way, so the retry paths write their lines too.
        gateway.Legacy.RespondNext(503);
        await im.SimulateUserC2CMessageAsync("u_lg_a", "u_lg_b", "from IM");
        var relayed = Assert.Single(await gateway.Legacy.WaitForAsync(1, Wait));

        im.FailNext(FakeImApis.SendMsg, 60007);
        var delta = Encoding.UTF8.GetBytes(TracingTests.C2CDelta("u_lg_b", "u_lg_a", "from legacy"));
        var (webhookId, timestamp) = ("msg_" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow);
        signatures.Add(StandardWebhooks.Sign(StandardWebhooks.TryDecodeSecret(GatewayHost.IngressSecret)!, webhookId, timestamp.ToUnixTimeSeconds(), delta));
        var accepted = await LegacyIngressRefusalTests.PostAsync(gateway, Encoding.UTF8.GetString(delta), webhookId: webhookId, timestamp: timestamp);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await Eventually.AssertAsync(() => Task.FromResult(im.GetC2CMessages("u_lg_a", "u_lg_b").Count == 2), Wait, "the delta is stored in IM");
        var echo = Assert.Single(await im.WaitForCallbacksAsync(CallbackBodies.C2C, 2, Wait), c => c.OptPlatform == "RESTAPI");
        Assert.True(echo.Delivered);

        var forgedTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        signatures.Add(ImCallbackSignature.Compute("not-the-callback-token", forgedTime.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var forged = await gateway.PostCallbackAsync(CallbackBodies.C2C, CallbackBodies.C2CMessage("u_lg_a", "u_lg_b", 3, "forged"), token: "not-the-callback-token", requestTime: forgedTime);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        var wrongKey = await LegacyIngressRefusalTests.PostAsync(gateway, Encoding.UTF8.GetString(delta), secret: "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("another-ingress-secret")));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        string[] expected = ["Relayed im.c2c.message.sent", "Applied legacy.c2c.message.sent", "Suppressed im.c2c.message.sent", "IM callback refused", "Legacy delta refused"];
        await Eventually.AssertAsync(() => Task.FromResult(expected.All(start => logs.Lines.Any(l => l.Contains($"\"@m\":\"{start}", StringComparison.Ordinal)))),
            Wait, "the relays, the suppressed echo and both refusals logged");
        // What the host wrote, for whoever reads a failure.
        foreach (var line in logs.Lines)
        {
            output.WriteLine(line);
        }

        var events = logs.Events;
        Assert.All(events, e => Assert.All(["@t", "@l", "@m", "SourceContext"], name => Assert.True(e.TryGetProperty(name, out _), $"{name} in {e}")));
        var traced = events.Where(e => TracedCategories.Contains(e.GetProperty("SourceContext").GetString()) || e.TryGetProperty("RequestId", out _)).ToList();
        Assert.All(traced, e => Assert.Matches("^[0-9a-f]{32}$", e.TryGetProperty("@tr", out var tr) ? tr.GetString() : $"no @tr in {e}"));
        Assert.All(expected, start => Assert.Contains(traced, e => Message(e).StartsWith(start, StringComparison.Ordinal)));
        var relayTrace = Assert.Single(traced, e => Message(e).StartsWith("Relayed", StringComparison.Ordinal)).GetProperty("@tr").GetString();
        Assert.Equal(relayed.Event.GetProperty("traceparent").GetString()!.Split('-')[1], relayTrace);
        // The suppressed echo names the tag that caught it, in the clear: a tag is no secret.
        Assert.Equal("origin-tag", Assert.Single(traced, e => Message(e).StartsWith("Suppressed", StringComparison.Ordinal)).GetProperty("EchoTag").GetString());
        var ingestTrace = Assert.Single(traced, e => Message(e).StartsWith("HTTP POST /legacy/events responded 202", StringComparison.Ordinal)).GetProperty("@tr").GetString();
        Assert.Equal(ingestTrace, Assert.Single(traced, e => Message(e).StartsWith("Applied", StringComparison.Ordinal)).GetProperty("@tr").GetString());

        var secrets = new List<string>
        {
            GatewayHost.CallbackToken,
            im.Options.SecretKey,
            GatewayHost.SigningSecret,
            GatewayHost.IngressSecret,
            GatewayHost.SigningSecret["whsec_".Length..],
            GatewayHost.IngressSecret["whsec_".Length..],
            gateway.Services.GetRequiredService<IAdminUserSigProvider>().GetUserSig(),
        };
        secrets.AddRange(signatures);
        secrets.AddRange(im.Callbacks.Select(c => HttpUtility.ParseQueryString(c.Uri!.Query)["Sign"]!));
        var text = logs.Text;
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
        Assert.DoesNotMatch(WebhookSignature(), text);
    }

    private static string Message(JsonElement logEvent) => logEvent.GetProperty("@m").GetString()!;

    [GeneratedRegex(@"v1,[A-Za-z0-9+/]{43}=")]
    private static partial Regex WebhookSignature();
}
