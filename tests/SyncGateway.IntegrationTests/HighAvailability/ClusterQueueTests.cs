using System.Text;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.HighAvailability;

/// <summary>The relay queues as the gateway declares them on a three-node RabbitMQ cluster with <c>RabbitMq:QueueType=quorum</c>.</summary>
[Trait("Category", "Cluster")]
public sealed class ClusterQueueTests(ITestOutputHelper output)
{
    private const int DeliveryLimit = 3;

    [Fact]
    public async Task Relay_queues_are_quorum_queues_on_every_node_with_single_active_consumer_a_delivery_limit_and_dead_letter_to_the_error_queue()
    {
        var cluster = RabbitMqCluster.FromEnvironment();
        await cluster.EnsureAllRunningAsync();
        var vhost = await cluster.CreateVirtualHostAsync();
        try
        {
            await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
            {
                ["RabbitMq:QueueType"] = "quorum",
                ["RabbitMq:DeliveryLimit"] = DeliveryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["RabbitMq:ClusterNodes"] = cluster.ClusterNodes,
                ["Sync:Shards"] = "2",
            }, rabbitMq: cluster.UriIn(vhost));

            var queues = (await cluster.QueuesAsync(vhost)).ToDictionary(queue => queue.Name);
            foreach (var queue in queues.Values.OrderBy(queue => queue.Name, StringComparer.Ordinal))
            {
                output.WriteLine($"{queue.Name}: {queue.Type}, leader {queue.Leader}, members {string.Join(" ", queue.Members)}, online {string.Join(" ", queue.Online)}, arguments {queue.Arguments.GetRawText()}");
            }
            foreach (var direction in new[] { RelayDirection.ImToLegacy, RelayDirection.LegacyToIm })
            {
                foreach (var name in new[] { RelayQueues.Queue(direction, 0), RelayQueues.Queue(direction, 1) })
                {
                    var queue = queues[name];
                    Assert.Equal("quorum", queue.Type);
                    Assert.Equal(cluster.Names.Order(StringComparer.Ordinal), queue.Members.Order(StringComparer.Ordinal));
                    Assert.Equal(cluster.Names.Order(StringComparer.Ordinal), queue.Online.Order(StringComparer.Ordinal));
                    var arguments = Arguments(queue.Arguments);
                    Assert.Equal("true", arguments["x-single-active-consumer"]);
                    Assert.Equal(DeliveryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture), arguments["x-delivery-limit"]);
                    Assert.Equal(RelayQueues.ErrorQueue(direction), arguments["x-dead-letter-exchange"]);
                    Assert.Equal("at-least-once", arguments["x-dead-letter-strategy"]);
                    Assert.Equal("reject-publish", arguments["x-overflow"]);
                }
                // The dead-letter target exists before anything has faulted, on the cluster like the queues.
                Assert.True(queues.ContainsKey(RelayQueues.ErrorQueue(direction)), $"{RelayQueues.ErrorQueue(direction)} declared at start-up");
            }

            // A message that keeps coming back (as when it takes its consumer down) ends in the error queue.
            await gateway.StopGatewayAsync();
            var relayQueue = RelayQueues.Queue(RelayDirection.ImToLegacy, 0);
            var errorQueue = RelayQueues.ErrorQueue(RelayDirection.ImToLegacy);
            var factory = new ConnectionFactory { Uri = cluster.UriIn(vhost) };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await channel.BasicPublishAsync("", relayQueue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("poison"));
            // Quorum queues with single active consumer refuse basic.get: a consumer that hands it back each time.
            var returns = 0;
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                Interlocked.Increment(ref returns);
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true);
            };
            await channel.BasicQosAsync(0, 1, global: false);
            var consuming = await channel.BasicConsumeAsync(relayQueue, autoAck: false, consumer);
            BasicGetResult? dead = null;
            await Eventually.AssertAsync(async () => (dead = await channel.BasicGetAsync(errorQueue, autoAck: true)) is not null, TimeSpan.FromSeconds(15),
                $"the message dead-lettered to {errorQueue}");
            await channel.BasicCancelAsync(consuming);
            output.WriteLine($"returned {returns} times, then dead-lettered to {errorQueue}");
            Assert.Equal("poison", Encoding.UTF8.GetString(dead!.Body.Span));
            Assert.InRange(returns, DeliveryLimit, DeliveryLimit + 1);
        }
        finally
        {
            await cluster.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>rabbitmqctl's JSON arguments, <c>[[name, type, value], …]</c>, as name → value text.</summary>
    private static Dictionary<string, string> Arguments(JsonElement arguments)
        => arguments.EnumerateArray().ToDictionary(argument => argument[0].GetString()!, argument => argument[2].ValueKind == JsonValueKind.String ? argument[2].GetString()! : argument[2].GetRawText());
}
