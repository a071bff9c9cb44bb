using System.Globalization;
using System.Text.Json;
using SyncGateway.Fakes.Infrastructure;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>A queue as a cluster node lists it: its type, arguments, Raft leader and members (quorum queues).</summary>
internal sealed record ClusterQueue(string Name, string Type, JsonElement Arguments, string? Leader, IReadOnlyList<string> Members, IReadOnlyList<string> Online);

/// <summary>
/// The three-node RabbitMQ cluster of <c>deploy/local/services.sh cluster-start</c>, from the variables it prints
/// (<c>SYNCGW_TEST_RABBITMQ_CLUSTER</c>, <c>…_NODES</c>, <c>…_NODE_NAMES</c>): a virtual host per test, what the nodes
/// report (queue leaders, connections), and killing and starting a node through the same script.
/// </summary>
internal sealed class RabbitMqCluster
{
    private const string UriVariable = "SYNCGW_TEST_RABBITMQ_CLUSTER";
    private const string NodesVariable = "SYNCGW_TEST_RABBITMQ_CLUSTER_NODES";
    private const string NamesVariable = "SYNCGW_TEST_RABBITMQ_CLUSTER_NODE_NAMES";

    private static readonly TimeSpan NodeStartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _services = Path.Combine(RepositoryRoot(), "deploy", "local", "services.sh");

    private RabbitMqCluster(Uri uri, string clusterNodes, IReadOnlyList<string> names)
    {
        Uri = uri;
        ClusterNodes = clusterNodes;
        Names = names;
        Ports = [.. clusterNodes.Split(',').Select(node => int.Parse(node[(node.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture))];
    }

    /// <summary>The first node's default virtual host, with the credentials every node knows.</summary>
    public Uri Uri { get; }

    /// <summary><c>RabbitMq:ClusterNodes</c> for the gateway: every node's <c>host:port</c>, in node order.</summary>
    public string ClusterNodes { get; }

    /// <summary>Erlang node names, in node order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>AMQP ports on 127.0.0.1, in node order.</summary>
    public IReadOnlyList<int> Ports { get; }

    public static RabbitMqCluster FromEnvironment()
    {
        var values = new[] { UriVariable, NodesVariable, NamesVariable }.Select(Environment.GetEnvironmentVariable).ToArray();
        if (values.Any(string.IsNullOrEmpty))
        {
            throw new InvalidOperationException(
                $"{UriVariable}, {NodesVariable} and {NamesVariable} must be set: run ./test.sh, or eval \"$(deploy/local/services.sh cluster-start | sed 's/^/export /')\"");
        }
        return new RabbitMqCluster(new Uri(values[0]!), values[1]!, values[2]!.Split(','));
    }

    /// <summary>The cluster's URI with <paramref name="vhost"/> as its path.</summary>
    public Uri UriIn(string vhost) => new UriBuilder(Uri) { Path = "/" + Uri.EscapeDataString(vhost) }.Uri;

    /// <summary>The node (0-based) whose AMQP port is <paramref name="port"/>.</summary>
    public int NodeOfPort(int port) => Ports.ToList().IndexOf(port);

    public bool Accepts(int node) => LoopbackPorts.Accepts(Ports[node]);

    /// <summary>Starts every node that is not running (a test that failed half-way may have left one down) and waits until all three run.</summary>
    public async Task EnsureAllRunningAsync()
    {
        for (var node = 0; node < Names.Count; node++)
        {
            if (!Accepts(node))
            {
                await StartAsync(node);
            }
        }
        await Eventually.AssertAsync(async () => (await RunningNodesAsync()).Count == Names.Count, NodeStartTimeout, "all three cluster nodes running");
    }

    /// <summary>A virtual host of the test's own that the cluster's user may use.</summary>
    public async Task<string> CreateVirtualHostAsync()
    {
        var vhost = $"syncgw-ha-{Guid.NewGuid().ToString("N")[..12]}";
        var user = Uri.UnescapeDataString(Uri.UserInfo.Split(':')[0]);
        await CtlAsync("add_vhost", vhost);
        await CtlAsync("set_permissions", "-p", vhost, user.Length > 0 ? user : "guest", ".*", ".*", ".*");
        return vhost;
    }

    public Task DeleteVirtualHostAsync(string vhost) => CtlAsync("delete_vhost", vhost);

    /// <summary>The queues of <paramref name="vhost"/> as a running node lists them.</summary>
    public async Task<IReadOnlyList<ClusterQueue>> QueuesAsync(string vhost)
    {
        var json = await CtlAsync("list_queues", "-p", vhost, "name", "type", "arguments", "leader", "members", "online", "--formatter", "json");
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(queue => new ClusterQueue(
            queue.GetProperty("name").GetString()!,
            queue.GetProperty("type").GetString()!,
            queue.GetProperty("arguments").Clone(),
            queue.TryGetProperty("leader", out var leader) && leader.ValueKind == JsonValueKind.String ? leader.GetString() : null,
            Strings(queue, "members"),
            Strings(queue, "online")))];
    }

    /// <summary>The AMQP ports (so the nodes) that the connections into <paramref name="vhost"/> are open on.</summary>
    public async Task<IReadOnlyList<int>> ConnectionPortsAsync(string vhost)
    {
        var json = await CtlAsync("list_connections", "vhost", "port", "--formatter", "json");
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray()
            .Where(connection => connection.GetProperty("vhost").GetString() == vhost)
            .Select(connection => connection.GetProperty("port").GetInt32())];
    }

    /// <summary>The nodes the cluster reports running.</summary>
    public async Task<IReadOnlyList<string>> RunningNodesAsync()
    {
        using var document = JsonDocument.Parse(await CtlAsync("cluster_status", "--formatter", "json"));
        return Strings(document.RootElement, "running_nodes");
    }

    /// <summary>A crash: SIGKILL to the node's Erlang VM. Returns once its AMQP port refuses connections.</summary>
    public Task KillAsync(int node) => ServicesAsync("cluster-node-kill", node);

    /// <summary>Starts a killed node from its data directory (it rejoins the cluster) and waits until it has booted.</summary>
    public Task StartAsync(int node) => ServicesAsync("cluster-node-start", node);

    /// <summary>rabbitmqctl on the first node that accepts AMQP connections (any running node answers for the cluster).</summary>
    public Task<string> CtlAsync(params string[] arguments)
    {
        var node = Enumerable.Range(0, Names.Count).FirstOrDefault(Accepts);
        return LocalServices.RunAsync("rabbitmqctl", ["-q", "-n", Names[node], .. arguments]);
    }

    private Task<string> ServicesAsync(string command, int node)
        => LocalServices.RunAsync(_services, [command, (node + 1).ToString(CultureInfo.InvariantCulture)]);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "deploy", "local", "services.sh")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"deploy/local/services.sh not found above {AppContext.BaseDirectory}");
    }

    private static List<string> Strings(JsonElement element, string property)
        => element.TryGetProperty(property, out var values) && values.ValueKind == JsonValueKind.Array
            ? [.. values.EnumerateArray().Select(value => value.GetString() ?? "")]
            : [];
}
