using System.Globalization;
using System.Text.Json;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.Fakes.Infrastructure;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A gateway that runs as successive processes (<see cref="GatewayProcess"/>) on one loopback port with the same
/// settings and spool file, as a pod restarted in place: a fake legacy system and a fake IM on loopback, its own
/// virtual host on the shared RabbitMQ (or a broker the test owns), Redis key prefix and work directory (spool, one log
/// per process). Set <c>SYNCGW_TEST_KEEP_WORK=1</c> to keep the work directory for reading the logs.
/// </summary>
internal sealed class RestartableGateway : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;
    private readonly List<GatewayProcess> _processes = [];
    private readonly string? _vhost;

    private RestartableGateway(Dictionary<string, string?> settings, string workDirectory, int port, string? vhost, string keyPrefix, FakeLegacyServer legacy, FakeImServer im)
    {
        _settings = settings;
        _vhost = vhost;
        WorkDirectory = workDirectory;
        KeyPrefix = keyPrefix;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        Legacy = legacy;
        Im = im;
    }

    public Uri BaseAddress { get; }

    public string WorkDirectory { get; }

    public string KeyPrefix { get; }

    /// <summary>The virtual host of its own on the shared RabbitMQ; null on a broker the test owns.</summary>
    public string? VirtualHost => _vhost;

    public FakeLegacyServer Legacy { get; }

    /// <summary>The fake IM the gateway writes to (<see cref="OpenLoopLoad.StartFakeImAsync"/>).</summary>
    public FakeImServer Im { get; }

    /// <summary>The process started last.</summary>
    public GatewayProcess Current => _processes.Count > 0 ? _processes[^1] : throw new InvalidOperationException("no gateway process started yet");

    /// <param name="rabbitMq">A broker the test owns (e.g. <see cref="PrivateRabbitMq.Uri"/>) instead of a virtual host of the shared one.</param>
    /// <param name="overrides">Configuration keys (<c>Section:Key</c>) over the defaults here.</param>
    public static async Task<RestartableGateway> CreateAsync(Uri? rabbitMq = null, IDictionary<string, string?>? overrides = null)
    {
        await TestServices.EnsureStartedAsync();
        var im = await OpenLoopLoad.StartFakeImAsync();
        var legacy = await FakeLegacyServer.StartAsync(GatewayHost.SigningSecret);
        var vhost = rabbitMq is null ? await LocalServices.CreateVirtualHostAsync("syncgw-test") : null;
        var workDirectory = Directory.CreateTempSubdirectory("syncgw-process-").FullName;
        var keyPrefix = $"syncgw-test:{Guid.NewGuid():N}:";
        var settings = new Dictionary<string, string?>(GatewayHost.ImSettings(im))
        {
            ["Im:SdkAppId"] = GatewayHost.SdkAppId.ToString(CultureInfo.InvariantCulture),
            ["Im:CallbackToken"] = GatewayHost.CallbackToken,
            ["Legacy:EventsUrl"] = legacy.EventsUrl.ToString(),
            ["Legacy:SigningSecret"] = GatewayHost.SigningSecret,
            ["Legacy:IngressSecret"] = GatewayHost.IngressSecret,
            ["RabbitMq:Uri"] = (rabbitMq ?? LocalServices.RabbitMqIn(vhost!)).ToString(),
            ["Redis:Configuration"] = LocalServices.Redis,
            ["Redis:KeyPrefix"] = keyPrefix,
            ["Spool:Path"] = Path.Combine(workDirectory, "spool.db"),
            ["Sync:RetryMinIntervalMilliseconds"] = "50",
            ["Sync:RetryMaxIntervalSeconds"] = "1",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        return new RestartableGateway(settings, workDirectory, LoopbackPorts.Free(), vhost, keyPrefix, legacy, im);
    }

    /// <summary>Changes a configuration key (<c>Section:Key</c>) for the processes started from now on, as a redeploy would.</summary>
    public void Set(string key, string? value) => _settings[key] = value;

    /// <summary>Starts a new process on the port (the previous one must have exited) and returns at once.</summary>
    public GatewayProcess Start()
    {
        if (_processes.Count > 0 && !Current.HasExited)
        {
            throw new InvalidOperationException("the previous gateway process still runs");
        }
        var process = GatewayProcess.Start(_settings, BaseAddress.Port, Path.Combine(WorkDirectory, $"gateway-{_processes.Count + 1}.log"));
        _processes.Add(process);
        return process;
    }

    /// <summary>Starts a new process and waits until <c>/health/ready</c> answers 200.</summary>
    public async Task<GatewayProcess> StartReadyAsync()
    {
        var process = Start();
        await process.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return process;
    }

    /// <summary>The log lines of every process so far, in order, each as JSON.</summary>
    public IReadOnlyList<JsonElement> LogEvents() => [.. _processes.SelectMany(p => p.LogEvents())];

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
        await Legacy.DisposeAsync();
        await Im.DisposeAsync();
        if (_vhost is not null)
        {
            await LocalServices.DeleteVirtualHostAsync(_vhost);
        }
        await LocalServices.DeleteRedisKeysAsync(KeyPrefix);
        if (Environment.GetEnvironmentVariable("SYNCGW_TEST_KEEP_WORK") != "1")
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
    }
}
