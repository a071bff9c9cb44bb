using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The built gateway (<c>SyncGateway.dll</c>, copied next to the tests by the project reference) as a process of its
/// own in the production configuration (<c>ASPNETCORE_ENVIRONMENT=Production</c>, JSON logs), listening on a given
/// loopback port, so that a test can kill it (<c>SIGKILL</c>), stop it (<c>SIGTERM</c>) and start another on the same
/// port. Settings are configuration keys (<c>Section:Key</c>), passed as <c>Section__Key</c> variables; stdout and
/// stderr go to a file the test searches.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process, Uri baseAddress, string logFile)
    {
        _process = process;
        BaseAddress = baseAddress;
        LogFile = logFile;
    }

    public Uri BaseAddress { get; }

    public string LogFile { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the gateway and returns at once; wait with <see cref="WaitUntilListeningAsync"/> or <see cref="WaitUntilReadyAsync"/>.</summary>
    public static GatewayProcess Start(IReadOnlyDictionary<string, string?> settings, int port, string logFile)
    {
        var gatewayDll = Path.Combine(AppContext.BaseDirectory, "SyncGateway.dll");
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory };
        // exec: the shell becomes the gateway, so the pid held here (for SIGKILL and SIGTERM) is the gateway's.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$0\" >>\"$1\" 2>&1");
        start.ArgumentList.Add(gatewayDll);
        start.ArgumentList.Add(logFile);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString();
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        return new GatewayProcess(process, baseAddress, logFile);
    }

    /// <summary>Waits until the port accepts connections (the listener is open).</summary>
    public async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!LoopbackPorts.Accepts(BaseAddress.Port))
        {
            ThrowIfExited("starting");
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"the gateway did not listen within {timeout}; see {LogFile}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until <c>/health/ready</c> answers 200.</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ThrowIfExited("starting");
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
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"the gateway was not ready within {timeout}; see {LogFile}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary><c>kill -9</c>: a crash, nothing runs after it. Returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            Signal("KILL");
            await _process.WaitForExitAsync();
        }
    }

    /// <summary><c>SIGTERM</c>, what Kubernetes sends to stop a pod; returns at once (see <see cref="WaitForExitAsync"/>).</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>Waits for the process to exit by itself (after <see cref="Terminate"/>) and returns its exit code; kills it and throws after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"the gateway did not exit within {timeout} and was killed; see {LogFile}");
        }
    }

    /// <summary>Every log line written so far that is JSON (the gateway's own lines; the runtime may print others).</summary>
    public IReadOnlyList<JsonElement> LogEvents()
    {
        var events = new List<JsonElement>();
        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            if (line.StartsWith('{'))
            {
                try
                {
                    events.Add(JsonDocument.Parse(line).RootElement.Clone());
                }
                catch (JsonException)
                {
                    // A line cut by SIGKILL.
                }
            }
        }
        return events;
    }

    private void ThrowIfExited(string doing)
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"the gateway exited with {_process.ExitCode} while {doing}; see {LogFile}");
        }
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Kills the process if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
