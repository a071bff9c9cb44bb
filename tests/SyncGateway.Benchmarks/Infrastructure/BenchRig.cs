using System.Globalization;
using System.Net;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;

namespace SyncGateway.Benchmarks.Infrastructure;

/// <summary>
/// What every scenario shares: the stub IM and the stub legacy system (real Kestrel on loopback in this process),
/// the secrets between them and the gateway, and how to start a gateway process in its own virtual host and Redis
/// key prefix.
/// </summary>
internal sealed class BenchRig : IAsyncDisposable
{
    public const long SdkAppId = 1400000001;
    public const string CallbackToken = "bench-callback-token";
    public const string SigningSecret = "whsec_YmVuY2gtc2lnbmluZy1zZWNyZXQtMDEyMzQ1Njc4OQ==";
    public const string IngressSecret = "whsec_YmVuY2gtaW5ncmVzcy1zZWNyZXQtMDEyMzQ1Njc4OQ==";
    public const string ImSecretKey = "bench-im-secret-key";

    private readonly IReadOnlyDictionary<string, string> _tuning;

    private BenchRig(string gatewayDll, string workDirectory, IReadOnlyDictionary<string, string> tuning, FakeImServer im, FakeLegacyServer legacy)
    {
        _tuning = tuning;
        GatewayDll = gatewayDll;
        WorkDirectory = workDirectory;
        Im = im;
        Legacy = legacy;
    }

    public string GatewayDll { get; }

    /// <summary>Gateway logs and generated import folders; deleted at the end unless asked to keep.</summary>
    public string WorkDirectory { get; }

    public FakeImServer Im { get; }

    public FakeLegacyServer Legacy { get; }

    /// <summary>Starts the stubs; <paramref name="tuning"/> (<c>Section__Key</c> settings) goes to every gateway, over the benchmark's own.</summary>
    public static async Task<BenchRig> StartAsync(string gatewayDll, string workDirectory, IReadOnlyDictionary<string, string> tuning)
    {
        var im = new FakeImServer(new FakeImOptions
        {
            SdkAppId = SdkAppId,
            SecretKey = ImSecretKey,
            CallbackToken = CallbackToken,
            RecordCalls = false,
        });
        await im.StartAsync();
        var legacy = await FakeLegacyServer.StartAsync(SigningSecret);
        legacy.RetainEvents = false;
        return new BenchRig(gatewayDll, workDirectory, tuning, im, legacy);
    }

    /// <summary>
    /// A gateway process in the production configuration, wired to the stubs, with its own virtual host and key
    /// prefix. <paramref name="overrides"/> are <c>Section__Key</c> variables.
    /// </summary>
    public async Task<GatewayUnderTest> StartGatewayAsync(string purpose, int clients, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var vhost = await BenchServices.CreateVirtualHostAsync(purpose);
        try
        {
            var keyPrefix = $"syncgw-bench:{Guid.NewGuid():N}:";
            var settings = new Dictionary<string, string>
            {
                ["Im__SdkAppId"] = SdkAppId.ToString(CultureInfo.InvariantCulture),
                ["Im__CallbackToken"] = CallbackToken,
                ["Im__ApiBaseUrl"] = Im.BaseUrl.ToString(),
                ["Im__AdminIdentifier"] = Im.Options.AdminIdentifier,
                ["Im__SecretKey"] = ImSecretKey,
                ["Legacy__EventsUrl"] = Legacy.EventsUrl.ToString(),
                ["Legacy__SigningSecret"] = SigningSecret,
                ["Legacy__IngressSecret"] = IngressSecret,
                ["RabbitMq__Uri"] = BenchServices.RabbitMqIn(vhost).ToString(),
                ["Redis__Configuration"] = BenchServices.Redis,
                ["Redis__KeyPrefix"] = keyPrefix,
                ["Spool__Path"] = Path.Combine(WorkDirectory, $"spool-{purpose}.db"),
                ["Shutdown__DrainDelaySeconds"] = "0",
            };
            foreach (var (key, value) in (overrides ?? new Dictionary<string, string>()).Concat(_tuning))
            {
                settings[key] = value;
            }
            var logFile = Path.Combine(WorkDirectory, $"gateway-{purpose}.log");
            var process = await GatewayProcess.StartAsync(GatewayDll, settings, logFile);
            // For attaching a profiler: dotnet-trace collect -p <pid> (docs/benchmarks.md).
            Console.WriteLine($"  gateway ({purpose}) pid {process.ProcessId} at {process.BaseAddress}, log {logFile}");
            return new GatewayUnderTest(process, vhost, keyPrefix, clients);
        }
        catch
        {
            await BenchServices.DeleteVirtualHostAsync(vhost);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Im.DisposeAsync();
        await Legacy.DisposeAsync();
    }
}

/// <summary>A running gateway, an HTTP client sized for the load, and what to clean up after it.</summary>
internal sealed class GatewayUnderTest : IAsyncDisposable
{
    public GatewayUnderTest(GatewayProcess process, string virtualHost, string keyPrefix, int clients)
    {
        Process = process;
        VirtualHost = virtualHost;
        KeyPrefix = keyPrefix;
        Http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 2 * clients,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = process.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public GatewayProcess Process { get; }

    public string VirtualHost { get; }

    public string KeyPrefix { get; }

    public HttpClient Http { get; }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
        await BenchServices.DeleteVirtualHostAsync(VirtualHost);
        await BenchServices.DeleteRedisKeysAsync(KeyPrefix);
    }
}
