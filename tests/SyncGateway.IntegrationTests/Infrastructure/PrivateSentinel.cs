using System.Diagnostics;
using System.Globalization;
using SyncGateway.Fakes.Infrastructure;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A Redis master, its replica and one Sentinel watching them, of the test's own on free loopback ports (the
/// redis-server binary runs all three). <see cref="Configuration"/> is what <c>Redis__Configuration</c> takes for it.
/// </summary>
internal sealed class PrivateSentinel : IAsyncDisposable
{
    public const string ServiceName = "syncgw-test";

    private readonly List<Process> _processes = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "syncgw-test-sentinel", Guid.NewGuid().ToString("N"));
    private readonly int _sentinelPort = LoopbackPorts.Free();

    private PrivateSentinel()
    {
    }

    public string Configuration => $"127.0.0.1:{_sentinelPort},serviceName={ServiceName}";

    public static async Task<PrivateSentinel> StartAsync()
    {
        var sentinel = new PrivateSentinel();
        try
        {
            Directory.CreateDirectory(sentinel._directory);
            var master = LoopbackPorts.Free();
            var replica = LoopbackPorts.Free();
            await sentinel.RunAsync(master, $"--bind 127.0.0.1 --port {master} --save \"\" --appendonly no");
            await sentinel.RunAsync(replica, $"--bind 127.0.0.1 --port {replica} --save \"\" --appendonly no --replicaof 127.0.0.1 {master}");
            // Sentinel rewrites its configuration file, so it needs one of its own. One Sentinel is a quorum of one.
            var file = Path.Combine(sentinel._directory, "sentinel.conf");
            await File.WriteAllTextAsync(file, $"""
                port {sentinel._sentinelPort}
                bind 127.0.0.1
                dir {sentinel._directory}
                sentinel monitor {ServiceName} 127.0.0.1 {master} 1
                sentinel down-after-milliseconds {ServiceName} 1000
                sentinel failover-timeout {ServiceName} 10000
                """);
            await sentinel.RunAsync(sentinel._sentinelPort, $"{file} --sentinel");
            await Eventually.AssertAsync(async () => (await sentinel.SentinelAsync("REPLICAS", ServiceName)).Contains($"{replica}", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), "the sentinel sees the replica");
            return sentinel;
        }
        catch
        {
            await sentinel.DisposeAsync();
            throw;
        }
    }

    /// <summary>The port of the master the Sentinel names now.</summary>
    public async Task<int> MasterPortAsync()
        => int.Parse((await SentinelAsync("GET-MASTER-ADDR-BY-NAME", ServiceName)).Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), CultureInfo.InvariantCulture);

    /// <summary>Makes the Sentinel promote the replica (as on a failed master, without waiting for a failure) and waits until it has.</summary>
    public async Task FailOverAsync()
    {
        var before = await MasterPortAsync();
        await SentinelAsync("FAILOVER", ServiceName);
        await Eventually.AssertAsync(async () => await MasterPortAsync() != before, TimeSpan.FromSeconds(30), "the sentinel names the promoted replica");
        var after = await MasterPortAsync();
        await Eventually.AssertAsync(async () => (await LocalServices.RunAsync("redis-cli", ["-p", after.ToString(CultureInfo.InvariantCulture), "ROLE"])).StartsWith("master", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "the promoted replica is a master");
    }

    private Task<string> SentinelAsync(params string[] command)
        => LocalServices.RunAsync("redis-cli", ["-p", _sentinelPort.ToString(CultureInfo.InvariantCulture), "SENTINEL", .. command]);

    private async Task RunAsync(int port, string arguments)
    {
        var process = Process.Start(new ProcessStartInfo("redis-server", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        _processes.Add(process);
        await Eventually.AssertAsync(() => Task.FromResult(LoopbackPorts.Accepts(port)), TimeSpan.FromSeconds(10), $"redis-server listening on {port}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
