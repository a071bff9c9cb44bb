using Microsoft.Extensions.Options;
using SyncGateway.Messaging;

namespace SyncGateway.Tests.Messaging;

public sealed class RabbitMqOptionsTests
{
    private static RabbitMqOptions Resolve(params (string Key, string Value)[] settings) => MessagingSettings.Resolve<RabbitMqOptions>(settings);

    [Fact]
    public void Relay_queues_default_to_classic_queue_version_2()
    {
        Assert.Equal(2, Resolve().ClassicQueueVersion);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    public void Accepts_the_brokers_default_and_both_versions(string version)
    {
        Assert.Equal(int.Parse(version, System.Globalization.CultureInfo.InvariantCulture), Resolve(("RabbitMq:ClassicQueueVersion", version)).ClassicQueueVersion);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("-1")]
    public void Rejects_any_other_queue_version_by_name(string version)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(("RabbitMq:ClassicQueueVersion", version)));

        Assert.Contains("RabbitMq:ClassicQueueVersion must be 0 (the broker's default), 1 or 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_nodes_are_comma_separated_host_and_port_entries()
    {
        var options = Resolve(("RabbitMq:Uri", "amqp://gw:secret@rabbit/sync"), ("RabbitMq:ClusterNodes", "rabbit-0.rabbit:5672, 10.0.0.7:5673,"));

        Assert.True(RabbitMqNode.TryParseList(options.ClusterNodes, out var nodes, out _));
        Assert.Equal([new RabbitMqNode("rabbit-0.rabbit", 5672), new RabbitMqNode("10.0.0.7", 5673)], nodes);
    }

    [Fact]
    public void No_cluster_nodes_means_the_host_of_the_uri()
    {
        Assert.True(RabbitMqNode.TryParseList(Resolve(("RabbitMq:Uri", "amqp://gw:secret@rabbit/sync")).ClusterNodes, out var nodes, out _));

        Assert.Empty(nodes);
    }

    [Theory]
    [InlineData("rabbit-0")]
    [InlineData("rabbit-0:")]
    [InlineData("rabbit-0:0")]
    [InlineData("rabbit-0:65536")]
    [InlineData("rabbit-0:5672:1")]
    [InlineData("[::1]:5672")]
    [InlineData("rabbit 0:5672")]
    public void Rejects_a_cluster_node_that_is_not_host_and_port_by_name(string entry)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(("RabbitMq:Uri", "amqp://gw:secret@rabbit/sync"), ("RabbitMq:ClusterNodes", "rabbit-1:5672," + entry)));

        Assert.Contains($"RabbitMq:ClusterNodes must be comma-separated host:port entries (e.g. rabbit-0:5672,rabbit-1:5672); '{entry}' is not one", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cluster_nodes_need_the_uri_for_credentials_and_virtual_host()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(("RabbitMq:ClusterNodes", "rabbit-0:5672")));

        Assert.Contains("RabbitMq:ClusterNodes needs RabbitMq:Uri", error.Message, StringComparison.Ordinal);
    }
}
