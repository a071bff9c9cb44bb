using SyncGateway.Fakes.Infrastructure;
using System.Net.Http.Headers;
using System.Text;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using RabbitMQ.Client;
using Microsoft.Extensions.Options;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.FromIm;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The real gateway on Kestrel (loopback), wired to real RabbitMQ (its own virtual host, or a broker the test owns)
/// and Redis (its own key prefix, deleted with the host), with a fake legacy system on loopback. One per test:
/// nothing leaks between tests.
/// </summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    public const long SdkAppId = 1400000001;
    public const string CallbackToken = "test-callback-token";
    public const string SigningSecret = "whsec_dGVzdC1zaWduaW5nLXNlY3JldC0wMTIzNDU2Nzg5";
    public const string IngressSecret = "whsec_dGVzdC1pbmdyZXNzLXNlY3JldC0wMTIzNDU2Nzg5";

    private readonly Factory _factory;
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly bool _isReplica;

    private GatewayHost(Factory factory, IReadOnlyDictionary<string, string?> settings, FakeLegacyServer legacy, string? vhost, string keyPrefix, bool isReplica)
    {
        _factory = factory;
        _settings = settings;
        _isReplica = isReplica;
        Legacy = legacy;
        VirtualHost = vhost;
        KeyPrefix = keyPrefix;
        RabbitMqUri = new Uri(settings["RabbitMq:Uri"]!);
        Client = factory.CreateClient();
    }

    public FakeLegacyServer Legacy { get; }

    public HttpClient Client { get; }

    /// <summary>The virtual host created on the shared broker for this host; null when the test brought its own broker.</summary>
    public string? VirtualHost { get; }

    public Uri RabbitMqUri { get; }

    public string KeyPrefix { get; }

    public IServiceProvider Services => _factory.Services;

    /// <param name="overrides">Configuration over the defaults here.</param>
    /// <param name="services">Applied after the gateway's own registrations, e.g. <c>services.ConfigureOpenTelemetryTracerProvider(...)</c> to collect spans.</param>
    /// <param name="rabbitMq">A broker the test owns (e.g. <see cref="PrivateRabbitMq.Uri"/>) instead of a virtual host of the shared one.</param>
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?>? overrides = null, Action<IServiceCollection>? services = null, Uri? rabbitMq = null)
    {
        await TestServices.EnsureStartedAsync();
        var legacy = await FakeLegacyServer.StartAsync(SigningSecret);
        var vhost = rabbitMq is null ? await LocalServices.CreateVirtualHostAsync("syncgw-test") : null;
        var keyPrefix = $"syncgw-test:{Guid.NewGuid():N}:";
        var settings = WithOverrides(new Dictionary<string, string?>
        {
            ["Im:SdkAppId"] = SdkAppId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Im:CallbackToken"] = CallbackToken,
            ["Legacy:EventsUrl"] = legacy.EventsUrl.ToString(),
            ["Legacy:SigningSecret"] = SigningSecret,
            ["Legacy:IngressSecret"] = IngressSecret,
            ["RabbitMq:Uri"] = (rabbitMq ?? LocalServices.RabbitMqIn(vhost!)).ToString(),
            ["Redis:Configuration"] = LocalServices.Redis,
            ["Redis:KeyPrefix"] = keyPrefix,
            ["Sync:RetryMinIntervalMilliseconds"] = "50",
            ["Sync:RetryMaxIntervalSeconds"] = "1",
            ["Spool:Path"] = TemporarySpoolPath(),
            ["Shutdown:DrainDelaySeconds"] = "0",
        }, overrides);
        var factory = new Factory(settings, services);
        try
        {
            await StartAsync(factory);
            return new GatewayHost(factory, settings, legacy, vhost, keyPrefix, isReplica: false);
        }
        catch
        {
            // A host that did not start must not leave its virtual host and fake server behind.
            await factory.DisposeAsync();
            await legacy.DisposeAsync();
            DeleteSpool(settings);
            if (vhost is not null)
            {
                await LocalServices.DeleteVirtualHostAsync(vhost);
            }
            throw;
        }
    }

    /// <summary>The settings that point a gateway at a fake IM: its REST address, secret key and admin account.</summary>
    public static Dictionary<string, string?> ImSettings(FakeImServer im) => new()
    {
        ["Im:ApiBaseUrl"] = im.BaseUrl.GetLeftPart(UriPartial.Authority),
        ["Im:SecretKey"] = im.Options.SecretKey,
        ["Im:AdminIdentifier"] = im.Options.AdminIdentifier,
    };

    /// <summary>
    /// A second replica of <paramref name="first"/>: the same virtual host, Redis prefix, settings and fake legacy
    /// system, which stay <paramref name="first"/>'s to clean up.
    /// </summary>
    public static async Task<GatewayHost> StartReplicaAsync(GatewayHost first, IDictionary<string, string?>? overrides = null)
    {
        // A replica is another process with a spool of its own.
        var settings = WithOverrides(WithOverrides(first._settings, new Dictionary<string, string?> { ["Spool:Path"] = TemporarySpoolPath() }), overrides);
        var factory = new Factory(settings, services: null);
        try
        {
            await StartAsync(factory);
            return new GatewayHost(factory, settings, first.Legacy, first.VirtualHost, first.KeyPrefix, isReplica: true);
        }
        catch
        {
            await factory.DisposeAsync();
            DeleteSpool(settings);
            throw;
        }
    }

    /// <summary>A spool file of its own in a directory that is deleted with the host.</summary>
    public static string TemporarySpoolPath() => Path.Combine(Path.GetTempPath(), "syncgw-test-spool", Guid.NewGuid().ToString("N"), "spool.db");

    private static Dictionary<string, string?> WithOverrides(IEnumerable<KeyValuePair<string, string?>> settings, IDictionary<string, string?>? overrides)
    {
        var merged = new Dictionary<string, string?>(settings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }
        return merged;
    }

    private static async Task StartAsync(Factory factory)
    {
        factory.UseKestrel(0);
        factory.StartServer();
        await WaitUntilBusHealthyAsync(factory.Services);
    }

    /// <summary>Receive endpoints bind their queues after the host reports started; publishing earlier is refused.</summary>
    private static async Task WaitUntilBusHealthyAsync(IServiceProvider services)
    {
        var bus = services.GetRequiredService<IBusControl>();
        await Eventually.AssertAsync(() => Task.FromResult(bus.CheckHealth().Status == BusHealthStatus.Healthy),
            TimeSpan.FromSeconds(30), "the bus and its receive endpoints started");
    }

    /// <summary>POSTs a callback the way IM does: command and auth in the query, JSON body, no content type promised.</summary>
    public Task<HttpResponseMessage> PostCallbackAsync(string command, string body, string? token = CallbackToken, long? requestTime = null, long sdkAppId = SdkAppId)
    {
        var time = (requestTime ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var query = $"SdkAppid={sdkAppId}&CallbackCommand={command}&contenttype=json&ClientIP=127.0.0.1&OptPlatform=Android";
        if (token is not null)
        {
            query += $"&RequestTime={time}&Sign={ImCallbackSignature.Compute(token, time)}";
        }
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Client.PostAsync($"{ImCallbackEndpoint.Path}?{query}", content);
    }

    /// <summary>The relay queue a conversation's events take in this gateway's configuration.</summary>
    public string RelayQueueOf(RelayDirection direction, string conversation)
        => RelayQueues.Queue(direction, RelayQueues.ShardOf(conversation, Services.GetRequiredService<IOptions<SyncOptions>>().Value.Shards));

    /// <summary>Messages waiting in a queue of this host's virtual host.</summary>
    public async Task<uint> QueueDepthAsync(string queue)
    {
        var factory = new ConnectionFactory { Uri = RabbitMqUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var declared = await channel.QueueDeclarePassiveAsync(queue);
            return declared.MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            // MassTransit declares an error queue on the first fault only.
            return 0;
        }
    }

    /// <summary>The faulted events of <paramref name="direction"/> kept for an operator (what <c>GET /admin/faults</c> lists as faulted).</summary>
    public Task<IReadOnlyList<FaultRecord>> FaultsAsync(RelayDirection direction) => Services.GetRequiredService<FaultedEvents>().ListAsync(direction, 100);

    /// <summary>Stops this gateway as a shut-down replica stops; what it shares with its replicas stays until <see cref="DisposeAsync"/>.</summary>
    public async Task StopGatewayAsync() => await _factory.DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_isReplica)
        {
            await _factory.DisposeAsync();
            DeleteSpool();
            return;
        }
        try
        {
            await _factory.DisposeAsync();
            await Legacy.DisposeAsync();
        }
        finally
        {
            DeleteSpool();
            if (VirtualHost is not null)
            {
                await LocalServices.DeleteVirtualHostAsync(VirtualHost);
            }
            await LocalServices.DeleteRedisKeysAsync(KeyPrefix);
        }
    }

    private void DeleteSpool() => DeleteSpool(_settings);

    private static void DeleteSpool(IReadOnlyDictionary<string, string?> settings)
    {
        if (settings.TryGetValue("Spool:Path", out var path) && path is not null && Path.GetDirectoryName(path) is { } directory && Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed class Factory(IDictionary<string, string?> settings, Action<IServiceCollection>? services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("IntegrationTest");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            if (services is not null)
            {
                builder.ConfigureTestServices(services);
            }
        }
    }
}
