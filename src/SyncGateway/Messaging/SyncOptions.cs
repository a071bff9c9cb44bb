using System.Globalization;

namespace SyncGateway.Messaging;

/// <summary>Section <c>Sync</c>: behaviour of the consumers of both directions.</summary>
internal sealed class SyncOptions
{
    public const string SectionName = "Sync";

    /// <summary>How long an origin tag waits for its echo (<c>Sync__OriginTagTtlSeconds</c>).</summary>
    public int OriginTagTtlSeconds { get; set; } = 600;

    /// <summary>How long a delivered event's id is remembered to drop a duplicate. Must outlast the retry budget.</summary>
    public int DedupeTtlSeconds { get; set; } = 7 * 24 * 3600;

    /// <summary>
    /// Consumers of both directions do not start (<c>Sync__Paused</c>); intakes keep accepting and the queues
    /// accumulate durably in RabbitMQ. Used around a history import (docs/migration.md).
    /// </summary>
    public bool Paused { get; set; }

    /// <summary>
    /// Optional guard: legacy messages sent before this time are not written to IM (<c>Sync__ImportCutoff</c>, Unix
    /// seconds or ISO 8601; docs/migration.md). The import handoff itself goes by legacy message id through the ledger;
    /// this is for an import that ran without the gateway's Redis. Empty = no cut-off.
    /// </summary>
    public string? ImportCutoff { get; set; }

    /// <summary><see cref="ImportCutoff"/> as a time; null when unset or unreadable (validation names the latter).</summary>
    public DateTimeOffset? ImportCutoffTime => ParseCutoff(ImportCutoff);

    public static DateTimeOffset? ParseCutoff(string? value) => Hosting.UnixTime.Parse(value);

    /// <summary>
    /// Queues per direction (<c>Sync__Shards</c>), each relaying one event at a time: how many events a direction
    /// relays at once. Every replica must use the same value, and it may change only while the queues are empty
    /// (docs/operations.md): a conversation's queue depends on it.
    /// </summary>
    public int Shards { get; set; } = 32;

    /// <summary>
    /// How long an event that keeps failing transiently is retried in place, from its first attempt, before it is
    /// parked with its conversation (<c>Sync__ParkAfterSeconds</c>; docs/operations.md, Parking): the other
    /// conversations of its queue wait this long at most.
    /// </summary>
    public int ParkAfterSeconds { get; set; } = 10;

    /// <summary>Longest wait between two tries of a parked conversation (<c>Sync__ParkRetryMaxSeconds</c>).</summary>
    public int ParkRetryMaxSeconds { get; set; } = 300;

    /// <summary>
    /// Redeliveries of an event that could be neither delivered nor parked (Redis away) before it faults to the error
    /// queue; each runs the in-place budget again.
    /// </summary>
    public int RetryLimit { get; set; } = 60;

    /// <summary>First interval between in-place tries and between redeliveries, in milliseconds.</summary>
    public int RetryMinIntervalMilliseconds { get; set; } = 500;

    /// <summary>Longest interval between redeliveries, in seconds.</summary>
    public int RetryMaxIntervalSeconds { get; set; } = 60;
}
