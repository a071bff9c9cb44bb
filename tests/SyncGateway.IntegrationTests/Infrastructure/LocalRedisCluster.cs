using System.Diagnostics;
using System.Globalization;
using SyncGateway.Fakes.Infrastructure;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// The Redis Cluster that <c>deploy/local/services.sh cluster-start</c> runs on loopback (three masters with one replica
/// each), named by <c>SYNCGW_TEST_REDIS_CLUSTER</c>: its nodes as <c>CLUSTER NODES</c> reports them, a master killed
/// (kill -9) and started again, and the roles put back as they were, so each test finds the cluster as it was.
/// </summary>
internal static class LocalRedisCluster
{
    private const string Variable = "SYNCGW_TEST_REDIS_CLUSTER";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>The seed list, as <c>Redis__Configuration</c> takes it.</summary>
    public static string Configuration
        => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: run ./test.sh, or eval \"$(deploy/local/services.sh cluster-start | sed 's/^/export /')\"");

    private static IEnumerable<int> SeedPorts
        => Configuration.Split(',').Select(endpoint => int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture));

    /// <summary>Every node as the first seed that answers sees it.</summary>
    public static async Task<IReadOnlyList<Node>> NodesAsync()
    {
        foreach (var port in SeedPorts.Concat((await KnownPortsAsync()).Except(SeedPorts)))
        {
            if (await TryCliAsync(port, "CLUSTER", "NODES") is { } nodes)
            {
                return [.. nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Node.Parse)];
            }
        }
        throw new InvalidOperationException("no node of the Redis Cluster answers");
    }

    /// <summary>
    /// Waits until the cluster serves every slot, no node is flagged as failed and each of
    /// <paramref name="masters"/> is a master with a replica in sync: the state <c>cluster-start</c> leaves.
    /// </summary>
    public static Task WaitUntilHealthyAsync(IReadOnlyCollection<int> masters)
        => Eventually.AssertAsync(async () =>
        {
            var nodes = await NodesAsync();
            if (nodes.Any(n => n.Failed) || !nodes.Where(n => n.IsMaster && n.Slots > 0).Select(n => n.Port).Order().SequenceEqual(masters.Order()))
            {
                return false;
            }
            foreach (var node in nodes)
            {
                var state = await TryCliAsync(node.Port, "CLUSTER", "INFO");
                var replication = await TryCliAsync(node.Port, "INFO", "replication");
                if (state?.Contains("cluster_state:ok", StringComparison.Ordinal) != true
                    || (!node.IsMaster && replication?.Contains("master_link_status:up", StringComparison.Ordinal) != true))
                {
                    return false;
                }
            }
            return nodes.Where(n => n.IsMaster).All(m => nodes.Any(r => r.MasterId == m.Id));
        }, Patience, $"the Redis Cluster serves every slot with masters {string.Join(',', masters)}, each with a replica in sync");

    /// <summary>The master that owns the slot of each hash tag.</summary>
    public static async Task<IReadOnlyDictionary<string, Node>> OwnersAsync(IEnumerable<string> hashTags)
    {
        var nodes = await NodesAsync();
        var owners = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var tag in hashTags)
        {
            var slot = int.Parse((await CliAsync(nodes[0].Port, "CLUSTER", "KEYSLOT", tag)).Trim(), CultureInfo.InvariantCulture);
            owners[tag] = nodes.Single(n => n.IsMaster && n.Owns(slot));
        }
        return owners;
    }

    /// <summary>Kills the node's process (no shutdown, no save) and returns how to start it again as it was.</summary>
    public static async Task<StoppedNode> KillAsync(Node node)
    {
        var arguments = new List<string> { "--daemonize", "yes", "--cluster-enabled", "yes" };
        foreach (var name in new[] { "bind", "port", "save", "appendonly", "cluster-config-file", "cluster-node-timeout", "dir", "logfile", "pidfile" })
        {
            var answer = (await CliAsync(node.Port, "CONFIG", "GET", name)).Split('\n');
            arguments.AddRange(["--" + name, answer.Length > 1 ? answer[1].TrimEnd('\r') : ""]);
        }
        var info = await CliAsync(node.Port, "INFO", "server");
        var pid = int.Parse(info.Split('\n').Single(l => l.StartsWith("process_id:", StringComparison.Ordinal))["process_id:".Length..].Trim(), CultureInfo.InvariantCulture);
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        await Eventually.AssertAsync(() => Task.FromResult(!LoopbackPorts.Accepts(node.Port)), Patience, $"redis node {node.Port} stopped");
        return new StoppedNode(node.Port, arguments);
    }

    /// <summary>Waits until a replica has taken over every slot of the killed <paramref name="master"/>.</summary>
    public static Task WaitForFailoverAsync(Node master)
        => Eventually.AssertAsync(async () =>
        {
            var nodes = await NodesAsync();
            return nodes.Any(n => n.IsMaster && n.Port != master.Port && n.Slots == master.Slots && !n.Failed)
                && await TryCliAsync(nodes.First(n => n.Port != master.Port).Port, "CLUSTER", "INFO") is { } state
                && state.Contains("cluster_state:ok", StringComparison.Ordinal);
        }, Patience, $"a replica of {master.Port} promoted");

    /// <summary>
    /// Gives each of <paramref name="masters"/> that is a replica now (a killed master comes back as one) its role back
    /// with a manual failover, which loses nothing, once it is in sync.
    /// </summary>
    public static async Task RestoreAsync(IReadOnlyCollection<int> masters)
    {
        foreach (var port in masters)
        {
            await Eventually.AssertAsync(async () => await TryCliAsync(port, "PING") is not null, Patience, $"redis node {port} answers");
            // A node just started still shows as the failed master it was until the cluster has heard from it.
            await Eventually.AssertAsync(async () => !(await NodesAsync()).Single(n => n.Port == port).Failed, Patience, $"redis node {port} known to the cluster again");
            if ((await NodesAsync()).Single(n => n.Port == port) is { IsMaster: true, Slots: > 0 })
            {
                continue;
            }
            await Eventually.AssertAsync(async () => (await TryCliAsync(port, "INFO", "replication"))?.Contains("master_link_status:up", StringComparison.Ordinal) == true,
                Patience, $"redis node {port} in sync with its master");
            await CliAsync(port, "CLUSTER", "FAILOVER");
            await Eventually.AssertAsync(async () => (await NodesAsync()).Single(n => n.Port == port).IsMaster, Patience, $"redis node {port} a master again");
        }
        await WaitUntilHealthyAsync(masters);
    }

    private static async Task<IReadOnlyList<int>> KnownPortsAsync()
    {
        foreach (var port in SeedPorts)
        {
            if (await TryCliAsync(port, "CLUSTER", "NODES") is { } nodes)
            {
                return [.. nodes.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => Node.Parse(line).Port)];
            }
        }
        return [];
    }

    private static Task<string> CliAsync(int port, params string[] command)
        => LocalServices.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), .. command]);

    /// <summary>The answer, or null when the node does not answer (redis-cli reports that on stderr or as an error line).</summary>
    private static async Task<string?> TryCliAsync(int port, params string[] command)
    {
        try
        {
            var answer = await CliAsync(port, command);
            return answer.StartsWith("Could not connect", StringComparison.Ordinal) || answer.StartsWith("ERR", StringComparison.Ordinal) ? null : answer;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>One line of <c>CLUSTER NODES</c>.</summary>
    internal sealed record Node(string Id, int Port, bool IsMaster, bool Failed, string? MasterId, IReadOnlyList<(int From, int To)> SlotRanges)
    {
        public int Slots => SlotRanges.Sum(r => r.To - r.From + 1);

        public bool Owns(int slot) => SlotRanges.Any(r => r.From <= slot && slot <= r.To);

        public static Node Parse(string line)
        {
            var fields = line.Trim().Split(' ');
            var address = fields[1].Split('@')[0];
            var flags = fields[2].Split(',');
            var ranges = fields.Skip(8).Where(f => !f.StartsWith('[')).Select(f => f.Split('-') is [var from, var to]
                ? (int.Parse(from, CultureInfo.InvariantCulture), int.Parse(to, CultureInfo.InvariantCulture))
                : (int.Parse(f, CultureInfo.InvariantCulture), int.Parse(f, CultureInfo.InvariantCulture)));
            return new Node(fields[0], int.Parse(address[(address.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture),
                flags.Contains("master"), flags.Contains("fail") || flags.Contains("fail?"), fields[3] == "-" ? null : fields[3], [.. ranges]);
        }
    }

    /// <summary>A killed node and the arguments it ran with.</summary>
    internal sealed record StoppedNode(int Port, IReadOnlyList<string> Arguments)
    {
        /// <summary>Starts it again (it daemonizes); with its nodes.conf it rejoins the cluster, as a replica of whoever took its slots.</summary>
        public async Task StartAsync()
        {
            await LocalServices.RunAsync("redis-server", Arguments);
            await Eventually.AssertAsync(() => Task.FromResult(LoopbackPorts.Accepts(Port)), Patience, $"redis node {Port} listening again");
        }
    }
}
