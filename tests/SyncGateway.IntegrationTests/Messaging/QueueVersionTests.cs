using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SyncGateway.Fakes.Infrastructure;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.Messaging;

public sealed class QueueVersionTests
{
    // RabbitMQ refuses to redeclare a queue with a different x-queue-version (PRECONDITION_FAILED), so a redeclare
    // tells which version the gateway declared without the management plugin.
    [Theory]
    [InlineData("relay.im-to-legacy")]
    [InlineData("relay.legacy-to-im")]
    public async Task The_relay_queues_are_declared_as_classic_queue_version_2(string queue)
    {
        await using var gateway = await GatewayHost.StartAsync();
        var factory = new ConnectionFactory { Uri = LocalServices.RabbitMqIn(gateway.VirtualHost) };
        await using var connection = await factory.CreateConnectionAsync();

        await using (var channel = await connection.CreateChannelAsync())
        {
            var refused = await Assert.ThrowsAsync<OperationInterruptedException>(() => RedeclareAsync(channel, queue, version: 1));
            Assert.Equal((ushort)406, refused.ShutdownReason?.ReplyCode);
        }
        await using (var channel = await connection.CreateChannelAsync())
        {
            await RedeclareAsync(channel, queue, version: 2);
        }
    }

    private static Task<QueueDeclareOk> RedeclareAsync(IChannel channel, string queue, int version)
        => channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-version"] = version });
}
