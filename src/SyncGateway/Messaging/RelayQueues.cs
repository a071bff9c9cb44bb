using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MassTransit;
using SyncGateway.Contracts;
using SyncGateway.Events;

namespace SyncGateway.Messaging;

/// <summary>
/// The relay queues. Each direction is split into <see cref="SyncOptions.Shards"/> queues (<c>relay.im-to-legacy.0</c>,
/// <c>relay.im-to-legacy.1</c>, …) and a conversation's events always go to the same one, chosen by a stable hash of the
/// conversation key (the CloudEvents subject). Each queue is consumed one message at a time by a single active
/// consumer, so RabbitMQ's queue order is the conversation's order, within one instance and across replicas.
/// </summary>
internal static class RelayQueues
{

    /// <summary>
    /// Deliveries each queue's consumer holds unacknowledged: the next ones are in the process when one is done,
    /// while a crash hands few back. Order is unaffected, because the consumer takes them one at a time.
    /// </summary>
    public const int PrefetchPerQueue = 8;

    /// <summary>Stable across processes and versions (unlike <see cref="string.GetHashCode()"/>): every replica routes alike.</summary>
    public static int ShardOf(string conversation, int shards)
        => (int)(BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(conversation))) % (uint)shards);

    public static string Queue(RelayDirection direction, int shard) => $"{direction.QueueStem}.{shard}";

    public static string QueueFor(ISyncEvent message, int shards)
        => Queue(EventCatalog.DirectionOf[message.GetType()], ShardOf(message.Meta.Subject, shards));

    public static string ErrorQueue(RelayDirection direction) => direction.QueueStem + "_error";

    /// <summary>
    /// Where to send to a direction's error queue. With quorum queues it is a quorum queue, bound to its exchange from
    /// start-up, so the send goes to the exchange: a <c>queue:</c> address would declare it as a classic queue, which
    /// RabbitMQ refuses. Otherwise <c>queue:</c>, which declares it if no fault has yet.
    /// </summary>
    public static Uri ErrorAddress(RelayDirection direction, RabbitMqOptions rabbit)
        => new((rabbit.IsQuorum && !string.IsNullOrWhiteSpace(rabbit.Uri) ? "exchange:" : "queue:") + ErrorQueue(direction));

    /// <summary>A relay consumer and the direction whose queues it is configured on.</summary>
    internal sealed record Consumer(Type ConsumerType, RelayDirection Direction);

    /// <summary>All shards of a direction fault into one error queue, <c>relay.{direction}_error</c>, so there is one place to watch.</summary>
    internal sealed class ErrorQueueNames : IErrorQueueNameFormatter
    {
        public string FormatErrorQueueName(string queueName)
            => queueName.StartsWith(RelayDirection.ImToLegacy.QueueStem + ".", StringComparison.Ordinal) ? ErrorQueue(RelayDirection.ImToLegacy)
                : queueName.StartsWith(RelayDirection.LegacyToIm.QueueStem + ".", StringComparison.Ordinal) ? ErrorQueue(RelayDirection.LegacyToIm)
                : queueName + "_error";
    }
}
