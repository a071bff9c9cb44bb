using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>How the simulated legacy system reports back what the gateway delivered to it.</summary>
public enum LegacyEcho
{
    /// <summary>It does not: it never emits deltas for events it received.</summary>
    None,
    /// <summary>It emits each received event back as a delta carrying <c>syncorigin</c>.</summary>
    WithSyncOrigin,
    /// <summary>It emits each received event back as a plain delta (content fingerprint only).</summary>
    Fingerprint,
    /// <summary>Each echo picks one of the two at random (seeded).</summary>
    Mixed,
}

/// <summary>
/// Both sides running at once: the gateway, a fake IM that calls back for the gateway's own writes (no
/// <c>ForbidCallbackControl</c>, so only origin tags stop the echoes) and a fake legacy system that can report every
/// delivered event back as its own delta, as a real legacy system would.
/// </summary>
internal sealed class TwoWaySync : IAsyncDisposable
{
    private readonly Channel<ReceivedCloudEvent> _echoes = Channel.CreateUnbounded<ReceivedCloudEvent>();
    private readonly Task _echoLoop;
    private readonly ConcurrentQueue<HttpStatusCode> _echoAnswers = new();
    private readonly Random _random = new(20261122);

    private TwoWaySync(GatewayHost gateway, FakeImServer im, LegacyEcho echo)
    {
        Gateway = gateway;
        Im = im;
        Legacy = new LegacyDeltaSender(gateway.Client, new Uri(gateway.Client.BaseAddress!, "/legacy/events"), GatewayHost.IngressSecret);
        if (echo != LegacyEcho.None)
        {
            gateway.Legacy.EventAccepted += e => _echoes.Writer.TryWrite(e);
        }
        _echoLoop = Task.Run(() => EchoAsync(echo));
    }

    public GatewayHost Gateway { get; }

    public FakeImServer Im { get; }

    /// <summary>Sends deltas as the legacy system.</summary>
    public LegacyDeltaSender Legacy { get; }

    /// <summary>Answers the gateway gave to the echoed deltas.</summary>
    public IReadOnlyCollection<HttpStatusCode> EchoAnswers => _echoAnswers;

    public static async Task<TwoWaySync> StartAsync(LegacyEcho echo, IDictionary<string, string?>? overrides = null)
    {
        var im = new FakeImServer(new FakeImOptions { SdkAppId = GatewayHost.SdkAppId, CallbackToken = GatewayHost.CallbackToken });
        await im.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Im:ApiBaseUrl"] = im.BaseUrl.GetLeftPart(UriPartial.Authority),
            ["Im:SecretKey"] = im.Options.SecretKey,
            ["Im:AdminIdentifier"] = im.Options.AdminIdentifier,
            ["Im:ForbidCallbacksOnSend"] = "false",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var gateway = await GatewayHost.StartAsync(settings);
        im.Options.CallbackUrl = new Uri(gateway.Client.BaseAddress!, "/im/callbacks");
        return new TwoWaySync(gateway, im, echo);
    }

    /// <summary>The IM write APIs (everything but reads) the gateway called.</summary>
    public IReadOnlyList<RecordedImCall> ImWrites => [.. Im.Calls.Where(c => c.ErrorCode == 0)];

    private async Task EchoAsync(LegacyEcho echo)
    {
        await foreach (var received in _echoes.Reader.ReadAllAsync())
        {
            var type = "legacy." + received.Type["im.".Length..];
            var data = JsonNode.Parse(received.Data.GetRawText())!;
            var withOrigin = echo == LegacyEcho.WithSyncOrigin || (echo == LegacyEcho.Mixed && _random.Next(2) == 0);
            var delta = LegacyDeltaSender.Delta(type, "echo-" + received.Id, data, withOrigin ? received.Id : null);
            using var answer = await Legacy.SendAsync(delta);
            _echoAnswers.Enqueue(answer.StatusCode);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _echoes.Writer.TryComplete();
        await _echoLoop;
        await Gateway.DisposeAsync();
        await Im.DisposeAsync();
    }
}
