namespace SyncGateway.Messaging;

/// <summary>Section <c>RabbitMq</c>.</summary>
internal sealed class RabbitMqOptions
{
    public const string SectionName = "RabbitMq";

    /// <summary><c>amqp://user:pass@host:port/vhost</c> (<c>RabbitMq__Uri</c>); empty = MassTransit's in-memory transport.</summary>
    public string? Uri { get; set; }

    /// <summary>
    /// The nodes of a RabbitMQ cluster (<c>RabbitMq__ClusterNodes</c>), comma-separated <c>host:port</c>; empty = the
    /// host of <see cref="Uri"/> only. When set, the gateway connects to these nodes in turn and <see cref="Uri"/> gives
    /// only the credentials, the virtual host and, with <c>amqps</c>, the TLS server name (<see cref="RabbitMqHost"/>).
    /// </summary>
    public string? ClusterNodes { get; set; }

    /// <summary>
    /// How long an intake waits for the broker's publisher confirm before it writes the event to the local spool
    /// instead (<c>Spool:Path</c>). Confirms take a few milliseconds when the broker is well; this only bounds a stall.
    /// </summary>
    public int PublishTimeoutMilliseconds { get; set; } = 500;

    /// <summary>
    /// <c>x-queue-version</c> of the relay queues, set when they are declared: 2 is RabbitMQ's newer classic queue
    /// storage (RabbitMQ 3.10 and later), whose publisher confirms had a third of version 1's p99 at the
    /// same rate in the benchmark (31 vs 94 ms on RabbitMQ 3.10). 0 declares without it, leaving the version to the
    /// broker's default or a policy. Changing it on an existing queue needs the queue redeclared (docs/operations.md).
    /// </summary>
    public int ClassicQueueVersion { get; set; } = 2;

    /// <summary>
    /// Type of the relay queues (<c>RabbitMq__QueueType</c>): <c>classic</c> (one node holds each queue; single-node
    /// development) or <c>quorum</c> (replicated with Raft on a cluster: a publisher confirm comes only once a majority
    /// has the message). A queue's type cannot change in place (docs/operations.md, "Quorum queues").
    /// </summary>
    public string QueueType { get; set; } = Classic;

    /// <summary>
    /// Quorum queues only: deliveries of one message before RabbitMQ dead-letters it to its direction's error queue
    /// (<c>RabbitMq__DeliveryLimit</c>). The gateway retries in place without redelivering, so only crashes and lost
    /// connections count: this ends a message that takes its consumer down each time.
    /// </summary>
    public int DeliveryLimit { get; set; } = 20;

    public const string Classic = "classic";
    public const string Quorum = "quorum";

    public bool IsQuorum => string.Equals(QueueType, Quorum, StringComparison.OrdinalIgnoreCase);
}
