using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SyncGateway.Messaging;

namespace SyncGateway.Admin;

/// <summary>A direction's relay queues as RabbitMQ counts them: ready messages and consumers over its shards, and its error queue's messages.</summary>
internal sealed record QueueCounts(long Depth, long Consumers, long Faulted);

/// <summary>
/// Reads the relay queues' counts with a passive declare per queue, on a connection of its own opened per request (to
/// any node of a cluster that accepts it): the admin status is rare, and the bus's connection stays the bus's. Null
/// without RabbitMQ (in-memory transport).
/// </summary>
internal sealed class RelayQueueCounts(IOptions<RabbitMqOptions> rabbit, IOptions<SyncOptions> sync)
{
    public async Task<IReadOnlyDictionary<RelayDirection, QueueCounts>?> ReadAsync(IReadOnlyList<RelayDirection> directions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(rabbit.Value.Uri))
        {
            return null;
        }
        await using var connection = await RabbitMqHost.ConnectAsync(rabbit.Value, "sync-gateway admin status", cancellationToken);
        var counts = new Dictionary<RelayDirection, QueueCounts>();
        foreach (var direction in directions)
        {
            long depth = 0, consumers = 0;
            for (var shard = 0; shard < sync.Value.Shards; shard++)
            {
                if (await DeclarePassiveAsync(connection, RelayQueues.Queue(direction, shard), cancellationToken) is { } queue)
                {
                    depth += queue.MessageCount;
                    consumers += queue.ConsumerCount;
                }
            }
            var errors = await DeclarePassiveAsync(connection, RelayQueues.ErrorQueue(direction), cancellationToken);
            counts[direction] = new QueueCounts(depth, consumers, errors?.MessageCount ?? 0);
        }
        return counts;
    }

    // A channel per queue: RabbitMQ closes the channel on which a passive declare names a missing queue.
    private static async Task<QueueDeclareOk?> DeclarePassiveAsync(IConnection connection, string queue, CancellationToken cancellationToken)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue, cancellationToken);
        }
        catch (OperationInterruptedException)
        {
            return null;
        }
    }
}
