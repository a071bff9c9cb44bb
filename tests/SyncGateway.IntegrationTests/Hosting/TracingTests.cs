using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using SyncGateway.Messaging;
using SyncGateway.Fakes.Im;
using SyncGateway.Fakes.Telemetry;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.IntegrationTests.FromIm;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.IntegrationTests.FromLegacy;

namespace SyncGateway.IntegrationTests.Hosting;

/// <summary>
/// One trace per event across HTTP, the bus and the outbound call, in both directions. The exporter sees every span
/// of the test process (listeners are process-wide), so each test finds its own by trace id or by unique user ids.
/// </summary>
public sealed class TracingTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly CollectingExporter _exporter = new();

    [Fact]
    public async Task An_IM_callback_its_consumer_relay_and_legacy_POST_share_one_trace()
    {
        await using var gateway = await GatewayHost.StartAsync(services: CollectSpans);
        var (from, to) = UniqueUsers();

        var response = await gateway.PostCallbackAsync(CallbackBodies.C2C, CallbackBodies.C2CMessage(from, to, 1, "traced"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var received = Assert.Single(await gateway.Legacy.WaitForAsync(1, Wait));
        var traceId = TraceIdOf(received.Event.GetProperty("traceparent").GetString()!);
        var server = await SpanAsync(traceId, a => a.Kind == ActivityKind.Server && Tag(a, "url.path") == "/im/callbacks");
        var relay = await SpanAsync(traceId, a => a.DisplayName == "relay im.c2c.message.sent");
        var consume = await SpanAsync(traceId, a => a.SpanId == relay.ParentSpanId);
        var post = await SpanAsync(traceId, a => a.Source.Name == "System.Net.Http" && a.Kind == ActivityKind.Client
            && Tag(a, "server.port") == gateway.Legacy.EventsUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal("POST", Tag(server, "http.request.method"));
        Assert.Equal(SyncTelemetry.Outcomes.Relayed, Tag(relay, SyncTelemetry.Tags.Outcome));
        Assert.Equal(RelayDirection.ImToLegacy.Name, Tag(relay, SyncTelemetry.Tags.Direction));
        Assert.Equal($"c2c:{from}:{to}", Tag(relay, SyncTelemetry.Tags.Conversation));
        Assert.Equal(("MassTransit", ActivityKind.Consumer), (consume.Source.Name, consume.Kind));
        Assert.Equal(relay.SpanId, post.ParentSpanId);
        Assert.Equal(relay.Id, received.Event.GetProperty("traceparent").GetString());
    }

    [Fact]
    public async Task A_legacy_delta_continues_its_own_traceparent_down_to_the_IM_REST_call()
    {
        var (gateway, im) = await StartWithImAsync();
        await using var _ = gateway;
        await using var __ = im;
        var (from, to) = UniqueUsers();
        var traceId = ActivityTraceId.CreateRandom();
        var parentSpanId = ActivitySpanId.CreateRandom();

        var response = await LegacyIngressRefusalTests.PostAsync(gateway, C2CDelta(from, to, "traced", $"00-{traceId}-{parentSpanId}-01"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await im.WaitForCallsAsync(FakeImApis.SendMsg, 1, Wait);
        var ingest = await SpanAsync(traceId, a => a.DisplayName == "ingest legacy.c2c.message.sent");
        var apply = await SpanAsync(traceId, a => a.DisplayName == "apply legacy.c2c.message.sent");
        var consume = await SpanAsync(traceId, a => a.SpanId == apply.ParentSpanId);
        var call = await SpanAsync(traceId, a => a.Source.Name == "System.Net.Http" && a.Kind == ActivityKind.Client
            && Tag(a, "server.port") == im.BaseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(parentSpanId, ingest.ParentSpanId);
        Assert.Equal(SyncTelemetry.Outcomes.Published, Tag(ingest, SyncTelemetry.Tags.Outcome));
        Assert.Equal(("MassTransit", ActivityKind.Consumer), (consume.Source.Name, consume.Kind));
        Assert.Equal(SyncTelemetry.Outcomes.Applied, Tag(apply, SyncTelemetry.Tags.Outcome));
        Assert.Equal(RelayDirection.LegacyToIm.Name, Tag(apply, SyncTelemetry.Tags.Direction));
        Assert.Contains("/v4/openim/sendmsg", Tag(call, "url.full"), StringComparison.Ordinal);
        Assert.DoesNotContain(gateway.Services.GetRequiredService<IAdminUserSigProvider>().GetUserSig(), Tag(call, "url.full"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_echo_of_an_applied_delta_shows_as_a_suppressed_relay()
    {
        var (gateway, im) = await StartWithImAsync();
        await using var _ = gateway;
        await using var __ = im;
        var (from, to) = UniqueUsers();

        var response = await LegacyIngressRefusalTests.PostAsync(gateway, C2CDelta(from, to, "from legacy"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var echo = await _exporter.WaitForAsync(a => a.DisplayName == "relay im.c2c.message.sent"
            && Tag(a, SyncTelemetry.Tags.Conversation) == $"c2c:{from}:{to}", Wait);
        Assert.Equal(SyncTelemetry.Outcomes.SuppressedEcho, Tag(echo, SyncTelemetry.Tags.Outcome));
        Assert.Equal("origin-tag", Tag(echo, SyncTelemetry.Tags.Reason));
        var callback = await SpanAsync(echo.TraceId, a => a.Kind == ActivityKind.Server && Tag(a, "url.path") == "/im/callbacks");
        Assert.Equal("200", Tag(callback, "http.response.status_code"));

        await im.SimulateUserC2CMessageAsync(to, from, "a real reply");
        var relayed = Assert.Single(await gateway.Legacy.WaitForAsync(1, Wait));
        Assert.Equal("a real reply", relayed.Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString());
    }

    public void Dispose() => _exporter.Dispose();

    private void CollectSpans(IServiceCollection services)
        => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(_exporter)));

    private async Task<(GatewayHost Gateway, FakeImServer Im)> StartWithImAsync()
    {
        var im = new FakeImServer(new FakeImOptions { SdkAppId = GatewayHost.SdkAppId, CallbackToken = GatewayHost.CallbackToken });
        await im.StartAsync();
        var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Im:ApiBaseUrl"] = im.BaseUrl.GetLeftPart(UriPartial.Authority),
            ["Im:SecretKey"] = im.Options.SecretKey,
            ["Im:AdminIdentifier"] = im.Options.AdminIdentifier,
            // IM calls back for the gateway's own sends, so the echo reaches the relay and must be suppressed there.
            ["Im:ForbidCallbacksOnSend"] = "false",
        }, CollectSpans);
        im.Options.CallbackUrl = new Uri(gateway.Client.BaseAddress!, "/im/callbacks");
        return (gateway, im);
    }

    private Task<Activity> SpanAsync(ActivityTraceId traceId, Func<Activity, bool> match)
        => _exporter.WaitForAsync(a => a.TraceId == traceId && match(a), Wait);

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name) switch
    {
        null => null,
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        var value => value.ToString(),
    };

    internal static string C2CDelta(string from, string to, string text, string? traceParent = null) => $$$"""
        {"specversion":"1.0","id":"lg-{{{Guid.NewGuid():N}}}","source":"/legacy","type":"legacy.c2c.message.sent",{{{(traceParent is null ? "" : $"\"traceparent\":\"{traceParent}\",")}}}
         "data":{"from":"{{{from}}}","to":"{{{to}}}","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"{{{text}}}"}}]}}
        """;

    private static ActivityTraceId TraceIdOf(string traceParent)
        => ActivityContext.Parse(traceParent, null).TraceId;

    // Ordinal order, as the c2c subject puts them.
    private static (string From, string To) UniqueUsers()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        return ($"u_{run}_a", $"u_{run}_b");
    }
}
