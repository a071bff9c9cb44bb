using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using SyncGateway.IntegrationTests.FromIm;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.HighAvailability;

/// <summary>
/// The relay and error queues as the gateway declares them on a three-node RabbitMQ cluster with
/// <c>RabbitMq:QueueType=quorum</c>: replicated on every node, single active consumer, the delivery limit and the
/// error queue as dead-letter target, faults kept for an operator, and a message past the delivery limit dead-lettered.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ClusterQueueTests(ITestOutputHelper output)
{
    private const int DeliveryLimit = 3;

    [ClusterFact]
    public async Task Relay_and_error_queues_are_quorum_queues_on_every_node_faults_are_kept_and_messages_past_the_delivery_limit_reach_the_error_queue()
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
                ["Sync:ParkAfterSeconds"] = "1",
                ["Sync:ParkRetryMaxSeconds"] = "1",
            }, rabbitMq: cluster.UriIn(vhost));
            var parkedAnswer = 500;
            gateway.Legacy.Responder = e => e.GetRawText() is var raw && raw.Contains("refused-now", StringComparison.Ordinal) ? 400
                : raw.Contains("refused-once-parked", StringComparison.Ordinal) ? Volatile.Read(ref parkedAnswer) : null;

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
                // The dead-letter target exists before anything has faulted, replicated like the relay queues.
                var errors = queues[RelayQueues.ErrorQueue(direction)];
                Assert.Equal("quorum", errors.Type);
                Assert.Equal(["x-queue-type"], Arguments(errors.Arguments).Keys);
                Assert.Equal(cluster.Names.Order(StringComparer.Ordinal), errors.Members.Order(StringComparer.Ordinal));
            }

            // Both ways to a fault on the cluster: a consumer's permanent failure and a parked head's (the parking worker's).
            await PostAsync(gateway, "u_fault_a", "u_fault_b", "refused-now");
            await PostAsync(gateway, "u_park_a", "u_park_b", "refused-once-parked");
            var parking = gateway.Services.GetRequiredService<ConversationParking>();
            await Eventually.AssertAsync(async () => (await parking.ListAsync(RelayDirection.ImToLegacy)).Count == 1, TimeSpan.FromSeconds(30), "the refused event parked");
            Volatile.Write(ref parkedAnswer, 400);
            var errorQueue = RelayQueues.ErrorQueue(RelayDirection.ImToLegacy);
            await Eventually.AssertAsync(async () => (await gateway.FaultsAsync(RelayDirection.ImToLegacy)).Count == 2, TimeSpan.FromSeconds(30), "both refused events faulted");
            Assert.All(await gateway.FaultsAsync(RelayDirection.ImToLegacy), fault => Assert.Contains("legacy answered 400", fault.Reason, StringComparison.Ordinal));
            Assert.Equal(0u, await gateway.QueueDepthAsync(errorQueue));

            // A message that keeps coming back (as when it takes its consumer down) ends in the error queue.
            await gateway.StopGatewayAsync();
            var relayQueue = RelayQueues.Queue(RelayDirection.ImToLegacy, 0);
            var factory = new ConnectionFactory { Uri = cluster.UriIn(vhost) };
            await using var connection = await factory.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await channel.BasicPublishAsync("", relayQueue, mandatory: true, new BasicProperties { Persistent = true }, Encoding.UTF8.GetBytes("poison"));
            await channel.QueuePurgeAsync(errorQueue);
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

    private static async Task PostAsync(GatewayHost gateway, string from, string to, string text)
    {
        using var answer = await gateway.PostCallbackAsync(CallbackBodies.C2C, CallbackBodies.C2CMessage(from, to, 1, text));
        answer.EnsureSuccessStatusCode();
    }

    /// <summary>rabbitmqctl's JSON arguments, <c>[[name, type, value], …]</c>, as name → value text.</summary>
    private static Dictionary<string, string> Arguments(JsonElement arguments)
        => arguments.EnumerateArray().ToDictionary(argument => argument[0].GetString()!, argument => argument[2].ValueKind == JsonValueKind.String ? argument[2].GetString()! : argument[2].GetRawText());
}
