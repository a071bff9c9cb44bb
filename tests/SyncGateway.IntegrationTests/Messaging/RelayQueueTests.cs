using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.Messaging;

public sealed class RelayQueueTests
{
    // RabbitMQ refuses to redeclare a queue with different arguments (PRECONDITION_FAILED), so redeclares tell how the
    // gateway declared its queues without the management plugin.
    [Theory]
    [InlineData("relay.im-to-legacy.0")]
    [InlineData("relay.legacy-to-im.31")]
    public async Task The_relay_queues_are_single_active_consumer_queues_of_classic_version_2(string queue)
    {
        await using var gateway = await GatewayHost.StartAsync();
        await using var connection = await ConnectAsync(gateway);

        await AssertRefusedAsync(connection, queue, version: 1, singleActiveConsumer: true);
        await AssertRefusedAsync(connection, queue, version: 2, singleActiveConsumer: false);
        await using var channel = await connection.CreateChannelAsync();
        await RedeclareAsync(channel, queue, version: 2, singleActiveConsumer: true);
    }

    [Theory]
    [InlineData("relay.im-to-legacy")]
    [InlineData("relay.legacy-to-im")]
    public async Task Each_direction_has_as_many_queues_as_configured_shards(string direction)
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Sync:Shards"] = "3" });
        await using var connection = await ConnectAsync(gateway);

        foreach (var shard in new[] { 0, 1, 2 })
        {
            await using var channel = await connection.CreateChannelAsync();
            await channel.QueueDeclarePassiveAsync($"{direction}.{shard}");
        }
        await using var beyond = await connection.CreateChannelAsync();
        var missing = await Assert.ThrowsAsync<OperationInterruptedException>(() => beyond.QueueDeclarePassiveAsync($"{direction}.3"));
        Assert.Equal((ushort)404, missing.ShutdownReason?.ReplyCode);
    }

    private static Task<IConnection> ConnectAsync(GatewayHost gateway)
        => new ConnectionFactory { Uri = gateway.RabbitMqUri }.CreateConnectionAsync();

    private static async Task AssertRefusedAsync(IConnection connection, string queue, int version, bool singleActiveConsumer)
    {
        // A refusal closes the channel, hence one per attempt.
        await using var channel = await connection.CreateChannelAsync();
        var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => RedeclareAsync(channel, queue, version, singleActiveConsumer));
        Assert.Equal((ushort)406, refused.ShutdownReason?.ReplyCode);
    }

    private static Task<QueueDeclareOk> RedeclareAsync(IChannel channel, string queue, int version, bool singleActiveConsumer)
        => channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-version"] = version, ["x-single-active-consumer"] = singleActiveConsumer });
}
