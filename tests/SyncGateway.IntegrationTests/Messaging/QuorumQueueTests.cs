using SyncGateway.Fakes.Infrastructure;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.Messaging;

/// <summary><c>RabbitMq:QueueType=quorum</c> declares the relay queues as quorum queues with the arguments that keep a poison message.</summary>
public sealed class QuorumQueueTests
{
    [Fact]
    public async Task Quorum_relay_queues_are_single_active_consumer_with_a_delivery_limit_and_dead_letter_to_their_error_queue_and_relay()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["RabbitMq:QueueType"] = "quorum", ["Sync:Shards"] = "2" });

        var listing = await LocalServices.RabbitMqCtlAsync("list_queues", "-q", "-p", gateway.VirtualHost!, "--no-table-headers", "name", "type", "arguments");
        foreach (var queue in new[] { "relay.im-to-legacy.0", "relay.im-to-legacy.1", "relay.legacy-to-im.0", "relay.legacy-to-im.1" })
        {
            var line = Assert.Single(listing.Split('\n'), l => l.StartsWith(queue + "\t", StringComparison.Ordinal));
            var direction = queue[..queue.LastIndexOf('.')];
            Assert.All(["\tquorum\t", "{\"x-single-active-consumer\",true}", "{\"x-delivery-limit\",20}",
                $"{{\"x-dead-letter-exchange\",\"{direction}_error\"}}", "{\"x-dead-letter-strategy\",\"at-least-once\"}", "{\"x-overflow\",\"reject-publish\"}"],
                part => Assert.True(line.Contains(part, StringComparison.Ordinal), $"{part} not in {line}"));
        }

        using var answer = await gateway.PostCallbackAsync("C2C.CallbackAfterSendMsg", FromIm.CallbackBodies.C2CMessage("u_1", "u_2", 1, "through a quorum queue"));
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
        await Eventually.AssertAsync(() => Task.FromResult(gateway.Legacy.Received.Count == 1), TimeSpan.FromSeconds(30), "relayed through a quorum queue");
    }
}
