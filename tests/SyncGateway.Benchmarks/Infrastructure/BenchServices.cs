using SyncGateway.Fakes.Infrastructure;

namespace SyncGateway.Benchmarks.Infrastructure;

/// <summary>
/// The real RabbitMQ and Redis the integration tests use (deploy/local/services.sh prints their addresses), with a
/// virtual host per run so the benchmark never touches anyone else's queues.
/// </summary>
internal static class BenchServices
{
    public static Uri RabbitMq => LocalServices.RabbitMq;

    /// <summary>
    /// Points the run at the three-node RabbitMQ cluster of <c>deploy/local/services.sh cluster-start</c> (the
    /// variables it prints) instead of the single node: virtual hosts, the limit's publishers and every gateway's
    /// first connection go to its first node. Returns the nodes for <c>RabbitMq__ClusterNodes</c>.
    /// </summary>
    public static string UseCluster()
    {
        var uri = Environment.GetEnvironmentVariable("SYNCGW_TEST_RABBITMQ_CLUSTER");
        var nodes = Environment.GetEnvironmentVariable("SYNCGW_TEST_RABBITMQ_CLUSTER_NODES");
        var names = Environment.GetEnvironmentVariable("SYNCGW_TEST_RABBITMQ_CLUSTER_NODE_NAMES");
        if (string.IsNullOrEmpty(uri) || string.IsNullOrEmpty(nodes) || string.IsNullOrEmpty(names))
        {
            throw new InvalidOperationException("--cluster needs the variables of deploy/local/services.sh cluster-start (run.sh --cluster starts it)");
        }
        // LocalServices reads these for every virtual host and rabbitmqctl call.
        Environment.SetEnvironmentVariable("SYNCGW_TEST_RABBITMQ", uri);
        Environment.SetEnvironmentVariable("SYNCGW_TEST_RABBITMQCTL", "rabbitmqctl -n " + names.Split(',')[0]);
        return nodes;
    }

    public static string Redis => LocalServices.Redis;

    public static Task<string> CreateVirtualHostAsync(string purpose) => LocalServices.CreateVirtualHostAsync($"syncgw-bench-{purpose}");

    public static Task DeleteVirtualHostAsync(string vhost) => LocalServices.DeleteVirtualHostAsync(vhost);

    public static Uri RabbitMqIn(string vhost) => LocalServices.RabbitMqIn(vhost);

    public static async Task<string> RabbitMqVersionAsync() => (await LocalServices.RabbitMqCtlAsync("version")).Trim();

    public static Task DeleteRedisKeysAsync(string keyPrefix) => LocalServices.DeleteRedisKeysAsync(keyPrefix);

    public static async Task<string> RedisVersionAsync()
    {
        var (host, port) = LocalServices.RedisEndpoint;
        var info = await RunAsync("redis-cli", ["-h", host, "-p", port, "INFO", "server"]);
        return info.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("redis_version:", StringComparison.Ordinal))?["redis_version:".Length..] ?? "unknown";
    }

    public static Task<string> RunAsync(string fileName, IEnumerable<string> arguments, string? workingDirectory = null)
        => LocalServices.RunAsync(fileName, arguments, workingDirectory);
}
