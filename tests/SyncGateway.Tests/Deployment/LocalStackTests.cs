using YamlDotNet.RepresentationModel;

namespace SyncGateway.Tests.Deployment;

public sealed class LocalStackTests
{
    [Fact]
    public void The_gateway_in_the_local_stack_is_configured_only_with_settings_the_app_reads()
    {
        var known = AppConfigurationKeys.All().ToHashSet(StringComparer.Ordinal);

        var unknown = GatewayEnvironment().Keys
            .Where(key => key.Contains("__", StringComparison.Ordinal) && !known.Contains(key) && !key.StartsWith("Serilog__", StringComparison.Ordinal))
            .ToList();

        Assert.True(unknown.Count == 0, $"deploy/docker-compose.yml sets settings no options class reads: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void The_gateway_exports_to_the_collector_and_reaches_the_broker_and_Redis_by_service_name()
    {
        var environment = GatewayEnvironment();

        Assert.Equal("http://otel-collector:4317", environment["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Assert.Contains("@rabbitmq:5672", environment["RabbitMq__Uri"], StringComparison.Ordinal);
        Assert.StartsWith("redis:6379", environment["Redis__Configuration"], StringComparison.Ordinal);
    }

    private static Dictionary<string, string> GatewayEnvironment()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepositoryFiles.Root, "deploy", "docker-compose.yml")))
        {
            stream.Load(reader);
        }
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;
        var gateway = (YamlMappingNode)((YamlMappingNode)root.Children[new YamlScalarNode("services")]).Children[new YamlScalarNode("gateway")];
        var environment = (YamlMappingNode)gateway.Children[new YamlScalarNode("environment")];
        return environment.Children.ToDictionary(entry => ((YamlScalarNode)entry.Key).Value!, entry => ((YamlScalarNode)entry.Value).Value ?? "", StringComparer.Ordinal);
    }
}
