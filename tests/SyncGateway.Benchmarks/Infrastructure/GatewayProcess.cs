using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SyncGateway.Benchmarks.Infrastructure;

/// <summary>
/// The published gateway as a separate process in its production configuration (<c>ASPNETCORE_ENVIRONMENT=Production</c>,
/// RabbitMQ, Redis, JSON logs on stdout), listening on a free loopback port. Its stdout goes straight to a file, so
/// the benchmark process never spends CPU on the gateway's log lines.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, long launchedAt, Uri baseAddress, string logFile)
    {
        _process = process;
        LaunchedAt = launchedAt;
        BaseAddress = baseAddress;
        LogFile = logFile;
    }

    /// <summary>When <c>dotnet</c> was started (a <see cref="Stopwatch"/> timestamp): the start of a start-up drain.</summary>
    public long LaunchedAt { get; }

    public Uri BaseAddress { get; }

    public string LogFile { get; }

    public int ProcessId => _process.Id;

    /// <summary>Starts <c>dotnet {gatewayDll}</c> with these settings (as <c>Section__Key</c> variables) and waits for <c>/health/ready</c>.</summary>
    public static async Task<GatewayProcess> StartAsync(string gatewayDll, IReadOnlyDictionary<string, string> settings, string logFile)
    {
        var port = FreeLoopbackPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // exec: the shell becomes the gateway, so the pid we hold (for RSS and SIGTERM) is the gateway's.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$0\" >\"$1\" 2>&1");
        start.ArgumentList.Add(gatewayDll);
        start.ArgumentList.Add(logFile);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString();
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        var launchedAt = Stopwatch.GetTimestamp();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var gateway = new GatewayProcess(process, launchedAt, baseAddress, logFile);
        try
        {
            await gateway.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
        return gateway;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the gateway exited with {_process.ExitCode} while starting; see {LogFile}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the gateway was not ready within {timeout}; see {LogFile}");
    }

    /// <summary>Current and peak resident set size in bytes (<c>VmRSS</c>, <c>VmHWM</c> of /proc/{pid}/status).</summary>
    public (long Rss, long Peak) Memory()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) * 1024;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) * 1024;
            }
        }
        return (rss, peak);
    }

    private static long Kilobytes(string line)
        => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    /// <summary>Log lines whose rendered message starts with <paramref name="messageStart"/>.</summary>
    public int CountLogMessages(string messageStart)
    {
        var needle = "\"@m\":\"" + messageStart;
        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var count = 0;
        while (reader.ReadLine() is { } line)
        {
            if (line.Contains(needle, StringComparison.Ordinal))
            {
                count++;
            }
        }
        return count;
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGTERM (graceful stop), then kill if it has not stopped within 20 s; false when it had to be killed.</summary>
    public async Task<bool> StopAsync()
    {
        if (_process.HasExited)
        {
            return true;
        }
        await BenchServices.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }
}
