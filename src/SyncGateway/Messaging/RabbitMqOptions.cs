namespace SyncGateway.Messaging;

/// <summary>Section <c>RabbitMq</c>.</summary>
internal sealed class RabbitMqOptions
{
    public const string SectionName = "RabbitMq";

    /// <summary><c>amqp://user:pass@host:port/vhost</c> (<c>RabbitMq__Uri</c>); empty = MassTransit's in-memory transport.</summary>
    public string? Uri { get; set; }

    /// <summary>How long an intake waits for the broker's publisher confirm before answering an error.</summary>
    public int PublishTimeoutMilliseconds { get; set; } = 1500;
}
