using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A RabbitMQ node of the test's own, for tests that take the broker away without disturbing the shared one: its own
/// node name, Erlang cookie, AMQP and distribution ports (loopback), data, logs and config under a temporary
/// directory, no plugins. Needs the rabbitmq-server package (deploy/local/services.sh installs it).
/// </summary>
internal sealed class PrivateRabbitMq : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    // Debian's /usr/sbin scripts switch to the rabbitmq user and write to /var/log/rabbitmq; these run as the caller.
    private static readonly string Scripts = Directory.Exists("/usr/lib/rabbitmq/bin") ? "/usr/lib/rabbitmq/bin" : "";

    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;

    private PrivateRabbitMq(string directory, string node, int port, int distributionPort)
    {
        _directory = directory;
        Node = node;
        Port = port;
        var home = Path.Combine(directory, "home");
        _environment = new Dictionary<string, string>
        {
            // The node and its CLI find the cookie in $HOME; a cookie of its own keeps other nodes' CLIs out.
            ["HOME"] = home,
            ["RABBITMQ_NODENAME"] = node,
            ["RABBITMQ_DIST_PORT"] = distributionPort.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq.conf"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(directory, "rabbitmq-env.conf"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(directory, "rabbitmq.pid"),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            // Only takes effect when this node is the one that starts epmd.
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
        };
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(Path.Combine(directory, "mnesia"));
        Directory.CreateDirectory(Path.Combine(directory, "log"));
        File.WriteAllText(Path.Combine(directory, "rabbitmq.conf"), $"""
            listeners.tcp.1 = 127.0.0.1:{port}
            log.console = false
            log.file.level = info

            """);
        File.WriteAllText(Path.Combine(directory, "enabled_plugins"), "[].\n");
        File.WriteAllText(Path.Combine(directory, "rabbitmq-env.conf"), "");
        var cookie = Path.Combine(home, ".erlang.cookie");
        File.WriteAllText(cookie, RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 20));
        if (!OperatingSystem.IsWindows())
        {
            // Erlang refuses a cookie file that others can read.
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        }
    }

    /// <summary><c>syncgw-{random}@localhost</c>.</summary>
    public string Node { get; }

    /// <summary>The AMQP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The node's default virtual host as the default user (guest, allowed from loopback).</summary>
    public Uri Uri => new($"amqp://guest:guest@127.0.0.1:{Port}/");

    /// <summary>Whether the AMQP port currently accepts connections.</summary>
    public bool Accepts => LoopbackPorts.Accepts(Port);

    /// <summary>Starts a fresh node and waits until it has booted.</summary>
    public static async Task<PrivateRabbitMq> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("syncgw-rabbitmq-").FullName;
        var port = LoopbackPorts.Free();
        var distributionPort = LoopbackPorts.Free();
        while (distributionPort == port)
        {
            distributionPort = LoopbackPorts.Free();
        }
        var node = new PrivateRabbitMq(directory, $"syncgw-{Guid.NewGuid().ToString("N")[..8]}@localhost", port, distributionPort);
        try
        {
            await node.BootAsync();
            return node;
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    private async Task BootAsync()
    {
        // Output to a file, not to pipes: the detached node (and an epmd it starts) would hold pipes open.
        await RunAsync("/bin/sh", ["-c", "exec \"$0\" -detached >\"$1\" 2>&1", Path.Combine(Scripts, "rabbitmq-server"), Path.Combine(_directory, "log", "startup.log")]);
        var deadline = Stopwatch.StartNew();
        // await_startup fails at once while the node has not registered with epmd yet, so retry it until the deadline.
        while (true)
        {
            var left = StartTimeout - deadline.Elapsed;
            try
            {
                await CtlAsync("await_startup", "--timeout", Math.Max(1, (int)left.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                break;
            }
            catch (InvalidOperationException) when (deadline.Elapsed < StartTimeout)
            {
                await Task.Delay(250);
            }
            catch (InvalidOperationException e)
            {
                throw new TimeoutException($"RabbitMQ node {Node} did not start within {StartTimeout}; see {_directory}/log", e);
            }
        }
        await Eventually.AssertAsync(() => Task.FromResult(Accepts), StartTimeout - deadline.Elapsed, $"RabbitMQ node {Node} listening on {Port}");
    }

    /// <summary>
    /// An outage: stops the RabbitMQ application but not the Erlang node, so durable queues and their persistent
    /// messages stay on disk; clients see their connections closed and new ones refused until <see cref="RestartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        await CtlAsync("stop_app");
        await Eventually.AssertAsync(() => Task.FromResult(!Accepts), TimeSpan.FromSeconds(10), $"RabbitMQ node {Node} refusing connections on {Port}");
    }

    /// <summary>Starts the application again after <see cref="StopAsync"/> and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        await CtlAsync("start_app");
        await Eventually.AssertAsync(() => Task.FromResult(Accepts), StartTimeout, $"RabbitMQ node {Node} listening on {Port} again");
    }

    /// <summary>Messages in each queue of the default virtual host (the app must be running).</summary>
    public async Task<IReadOnlyDictionary<string, long>> QueueDepthsAsync()
    {
        var output = await CtlAsync("list_queues", "--no-table-headers", "name", "messages");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(fields => fields.Length == 2)
            .ToDictionary(fields => fields[0], fields => long.Parse(fields[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Stops the node (killing it if it does not stop) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await CtlAsync("stop", Path.Combine(_directory, "rabbitmq.pid"));
        }
        catch (InvalidOperationException)
        {
            KillByPidFile();
        }
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A node still writing its log as it exits; the temporary directory is the OS's to clean.
        }
    }

    private void KillByPidFile()
    {
        var pidFile = Path.Combine(_directory, "rabbitmq.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture, out var pid))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    private Task<string> CtlAsync(params string[] arguments)
        => RunAsync(Path.Combine(Scripts, "rabbitmqctl"), ["-q", "-n", Node, .. arguments]);

    private async Task<string> RunAsync(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = _directory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }
        return await stdout;
    }
}
