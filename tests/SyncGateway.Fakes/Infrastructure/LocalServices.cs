using System.Diagnostics;
using StackExchange.Redis;

namespace SyncGateway.Fakes.Infrastructure;

/// <summary>
/// The real RabbitMQ and Redis that the integration tests and the benchmark run against, from the environment
/// (deploy/local/services.sh prints the variables; the integration tests start containers for them where Docker runs), and an
/// isolated RabbitMQ virtual host per user so that runs never share exchanges or queues.
/// </summary>
public static class LocalServices
{
    public static Uri RabbitMq => new(Require("SYNCGW_TEST_RABBITMQ"));

    public static string Redis => Require("SYNCGW_TEST_REDIS");

    /// <summary>How to run rabbitmqctl (e.g. "docker exec rabbit rabbitmqctl"); default the local one.</summary>
    private static string RabbitMqCtl => Environment.GetEnvironmentVariable("SYNCGW_TEST_RABBITMQCTL") ?? "rabbitmqctl";

    private static string Require(string name)
        => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{name} is not set: run ./test.sh or tests/SyncGateway.Benchmarks/run.sh (they start RabbitMQ and Redis), or export it");

    /// <summary>Creates a virtual host named <c>{prefix}-{random}</c> that the user of <see cref="RabbitMq"/> may use.</summary>
    public static async Task<string> CreateVirtualHostAsync(string prefix)
    {
        var vhost = $"{prefix}-{Guid.NewGuid().ToString("N")[..12]}";
        var user = Uri.UnescapeDataString(RabbitMq.UserInfo.Split(':')[0]);
        await RabbitMqCtlAsync("add_vhost", vhost);
        await RabbitMqCtlAsync("set_permissions", "-p", vhost, user.Length > 0 ? user : "guest", ".*", ".*", ".*");
        return vhost;
    }

    public static Task DeleteVirtualHostAsync(string vhost) => RabbitMqCtlAsync("delete_vhost", vhost);

    /// <summary>
    /// Deletes the keys a gateway wrote under its own prefix (dedupe marks live for days otherwise), on
    /// <paramref name="configuration"/> (default <see cref="Redis"/>). Scans every master and deletes key by key, which a
    /// Redis Cluster needs as much as a single server allows it.
    /// </summary>
    public static async Task DeleteRedisKeysAsync(string keyPrefix, string? configuration = null)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration ?? Redis);
        var database = redis.GetDatabase();
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            var deletes = new List<Task>();
            await foreach (var key in server.KeysAsync(pattern: keyPrefix + "*", pageSize: 1000))
            {
                deletes.Add(database.KeyDeleteAsync(key));
            }
            await Task.WhenAll(deletes);
        }
    }

    public static (string Host, string Port) RedisEndpoint => Redis.Split(':') is [var h, var p] ? (h, p) : (Redis, "6379");

    public static Uri RabbitMqIn(string vhost) => new UriBuilder(RabbitMq) { Path = "/" + Uri.EscapeDataString(vhost) }.Uri;

    public static Task<string> RabbitMqCtlAsync(params string[] arguments)
    {
        var parts = RabbitMqCtl.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return RunAsync(parts[0], [.. parts.Skip(1), "-q", .. arguments]);
    }

    /// <summary>Runs a command (at most a minute) and returns its output; a non-zero exit throws with its stderr.</summary>
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
