using SyncGateway.Messaging;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SyncGateway.Tests.Deployment;

/// <summary>
/// <c>deploy/docker-compose.ha.yml</c>, which needs Docker to run: its gateways point at every node of the RabbitMQ
/// cluster it defines, with quorum queues, and at its Redis Cluster, with settings the app reads.
/// </summary>
public sealed class HighAvailabilityStackTests
{
    private static readonly YamlMappingNode Compose = Load();

    [Fact]
    public void The_gateways_are_configured_only_with_settings_the_app_reads()
    {
        var known = AppConfigurationKeys.All().ToHashSet(StringComparer.Ordinal);

        Assert.All(Gateways(), gateway =>
        {
            var unknown = Environment(gateway).Keys.Where(key => key.Contains("__", StringComparison.Ordinal) && !known.Contains(key) && !key.StartsWith("Serilog__", StringComparison.Ordinal));
            Assert.Empty(unknown);
        });
    }

    [Fact]
    public void The_gateways_use_quorum_queues_on_every_node_of_the_RabbitMQ_cluster_the_nodes_form()
    {
        var rabbitNodes = Services().Where(service => service.Key.StartsWith("rabbitmq-", StringComparison.Ordinal)).ToList();
        var conf = Scalar(Compose, "configs", "rabbitmq-cluster", "content");

        Assert.Equal(3, rabbitNodes.Count);
        Assert.All(rabbitNodes, node => Assert.Contains($"= rabbit@{Scalar(node.Value, "hostname")}\n", conf, StringComparison.Ordinal));
        Assert.All(Gateways(), gateway =>
        {
            var environment = Environment(gateway);
            Assert.Equal("quorum", environment["RabbitMq__QueueType"]);
            Assert.True(RabbitMqNode.TryParseList(environment["RabbitMq__ClusterNodes"], out var nodes, out _));
            Assert.Equal(rabbitNodes.Select(node => new RabbitMqNode(node.Key, 5672)), nodes);
            var uri = new Uri(environment["RabbitMq__Uri"]);
            Assert.Contains($"default_user = {uri.UserInfo.Split(':')[0]}\n", conf, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_gateways_seed_from_the_Redis_Cluster_the_init_service_forms_and_wait_for_it()
    {
        var redisNodes = Services().Where(service => service.Key.StartsWith("redis-", StringComparison.Ordinal) && service.Key != "redis-cluster").Select(service => service.Key).ToList();

        Assert.Equal(6, redisNodes.Count);
        Assert.Contains("for n in 1 2 3 4 5 6;", Scalar(Compose, "services", "redis-cluster", "command", "0"), StringComparison.Ordinal);
        Assert.All(Gateways(), gateway =>
        {
            Assert.All(Environment(gateway)["Redis__Configuration"].Split(','), seed => Assert.Contains(seed.Split(':')[0], redisNodes));
            Assert.Equal("service_completed_successfully", Scalar(gateway, "depends_on", "redis-cluster", "condition"));
        });
    }

    private static IEnumerable<KeyValuePair<string, YamlMappingNode>> Services()
        => ((YamlMappingNode)Compose.Children[new YamlScalarNode("services")]).Children
            .Select(entry => KeyValuePair.Create(((YamlScalarNode)entry.Key).Value!, (YamlMappingNode)entry.Value));

    private static List<YamlMappingNode> Gateways()
    {
        var gateways = Services().Where(service => service.Key.StartsWith("gateway-", StringComparison.Ordinal)).Select(service => service.Value).ToList();
        Assert.NotEmpty(gateways);
        return gateways;
    }

    private static Dictionary<string, string> Environment(YamlMappingNode service)
        => ((YamlMappingNode)service.Children[new YamlScalarNode("environment")]).Children
            .ToDictionary(entry => ((YamlScalarNode)entry.Key).Value!, entry => ((YamlScalarNode)entry.Value).Value ?? "", StringComparer.Ordinal);

    private static string Scalar(YamlNode root, params string[] path)
    {
        var node = root;
        foreach (var key in path)
        {
            node = node is YamlSequenceNode sequence ? sequence.Children[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] : ((YamlMappingNode)node).Children[new YamlScalarNode(key)];
        }
        return ((YamlScalarNode)node).Value ?? "";
    }

    // The file shares settings between services with YAML merge keys (<<: *anchor), which only a merging parser resolves.
    private static YamlMappingNode Load()
    {
        using var reader = new StreamReader(Path.Combine(RepositoryFiles.Root, "deploy", "docker-compose.ha.yml"));
        var stream = new YamlStream();
        stream.Load(new MergingParser(new Parser(reader)));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }
}
