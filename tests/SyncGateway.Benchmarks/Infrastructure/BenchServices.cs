using System.Diagnostics;

namespace SyncGateway.Benchmarks.Infrastructure;

/// <summary>
/// The real RabbitMQ and Redis the integration tests use (deploy/local/services.sh prints their addresses), with a
/// virtual host per run so the benchmark never touches anyone else's queues.
/// </summary>
internal static class BenchServices
{
    public static Uri RabbitMq => new(Require("SYNCGW_TEST_RABBITMQ"));

    public static string Redis => Require("SYNCGW_TEST_REDIS");

    private static string RabbitMqCtl => Environment.GetEnvironmentVariable("SYNCGW_TEST_RABBITMQCTL") ?? "rabbitmqctl";

    private static string Require(string name)
        => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run tests/SyncGateway.Benchmarks/run.sh (it starts RabbitMQ and Redis) or export it");

    public static async Task<string> CreateVirtualHostAsync(string purpose)
    {
        var vhost = $"syncgw-bench-{purpose}-{Guid.NewGuid().ToString("N")[..8]}";
        await RabbitMqCtlAsync("add_vhost", vhost);
        await RabbitMqCtlAsync("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
        return vhost;
    }

    public static Task DeleteVirtualHostAsync(string vhost) => RabbitMqCtlAsync("delete_vhost", vhost);

    public static Uri RabbitMqIn(string vhost) => new UriBuilder(RabbitMq) { Path = "/" + Uri.EscapeDataString(vhost) }.Uri;

    public static async Task<string> RabbitMqVersionAsync()
    {
        var output = await RabbitMqCtlAsync("version");
        return output.Trim();
    }

    /// <summary>Deletes the keys a gateway wrote under its own prefix (dedupe marks live for days otherwise).</summary>
    public static Task DeleteRedisKeysAsync(string keyPrefix)
    {
        var (host, port) = RedisEndpoint;
        return RunAsync("/bin/sh", ["-c", "redis-cli -h \"$0\" -p \"$1\" --scan --pattern \"$2*\" | xargs -r -n 1000 redis-cli -h \"$0\" -p \"$1\" UNLINK >/dev/null", host, port, keyPrefix]);
    }

    private static (string Host, string Port) RedisEndpoint => Redis.Split(':') is [var h, var p] ? (h, p) : (Redis, "6379");

    public static async Task<string> RedisVersionAsync()
    {
        var (host, port) = RedisEndpoint;
        var info = await RunAsync("redis-cli", ["-h", host, "-p", port, "INFO", "server"]);
        return info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("redis_version:", StringComparison.Ordinal))?["redis_version:".Length..] ?? "unknown";
    }

    private static Task<string> RabbitMqCtlAsync(params string[] arguments)
    {
        var parts = RabbitMqCtl.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return RunAsync(parts[0], [.. parts.Skip(1), "-q", .. arguments]);
    }

    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', start.ArgumentList)} failed: {await stderr}");
        }
        return await stdout;
    }
}
