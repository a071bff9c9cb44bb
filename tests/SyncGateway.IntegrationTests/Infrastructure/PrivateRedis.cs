using System.Diagnostics;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A redis-server of the test's own on a free loopback port, for tests that stop and restart Redis without
/// disturbing the shared one other tests use. Needs the redis-server binary (deploy/local/services.sh installs it).
/// </summary>
internal sealed class PrivateRedis : IAsyncDisposable
{
    private Process? _process;

    private PrivateRedis(int port) => Port = port;

    public int Port { get; }

    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<PrivateRedis> StartAsync()
    {
        var redis = new PrivateRedis(LoopbackPorts.Free());
        await redis.RestartAsync();
        return redis;
    }

    /// <summary>Starts the server (again) on the same port and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        _process = Process.Start(new ProcessStartInfo("redis-server",
            $"--bind 127.0.0.1 --port {Port} --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        await Eventually.AssertAsync(() => Task.FromResult(LoopbackPorts.Accepts(Port)), TimeSpan.FromSeconds(10), $"redis-server listening on {Port}");
    }

    /// <summary>Kills the server: an outage, not a clean shutdown.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
        await Eventually.AssertAsync(() => Task.FromResult(!LoopbackPorts.Accepts(Port)), TimeSpan.FromSeconds(10), $"redis-server on {Port} stopped");
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
