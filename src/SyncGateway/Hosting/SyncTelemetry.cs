using System.Diagnostics;
using System.Diagnostics.Metrics;
using SyncGateway.Messaging;

namespace SyncGateway.Hosting;

/// <summary>
/// The gateway's own traces and metrics: one <see cref="ActivitySource"/> and one <see cref="System.Diagnostics.Metrics.Meter"/>
/// per host, made by the host's <see cref="IMeterFactory"/> so that hosts sharing a process (tests) count apart.
/// Metric tags stay low-cardinality (direction, type, outcome, api, code); user and group ids go on spans only.
/// </summary>
internal sealed class SyncTelemetry
{
    public const string Name = "SyncGateway";

    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _received;
    private readonly Counter<long> _outcome;
    private readonly Histogram<double> _relayLatency;
    private readonly Counter<long> _imCalls;
    private readonly Histogram<double> _rateLimiterWait;
    private readonly Counter<long> _spooled;
    private readonly Counter<long> _spoolForwarded;
    private readonly Counter<long> _spoolRefused;
    private readonly Counter<long> _repair;
    private readonly Counter<long> _faultActions;

    public SyncTelemetry(IMeterFactory meters)
    {
        Meter = meters.Create(Name);
        _received = Meter.CreateCounter<long>("syncgw.events.received", "{event}", "Events accepted at an intake (IM callbacks, legacy ingress).");
        _outcome = Meter.CreateCounter<long>("syncgw.events.outcome", "{event}", "Events by outcome: published, relayed, applied, suppressed-echo, duplicate, retried, parked, faulted, ignored, rejected.");
        _relayLatency = Meter.CreateHistogram<double>("syncgw.relay.latency", "s", "From the event's own time to its delivery on the other side.");
        _imCalls = Meter.CreateCounter<long>("syncgw.im.calls", "{call}", "IM REST calls by API and result code.");
        _rateLimiterWait = Meter.CreateHistogram<double>("syncgw.ratelimiter.wait", "s", "Time spent waiting for the IM REST rate limiter.");
        _spooled = Meter.CreateCounter<long>("syncgw.spool.spooled", "{event}", "Events an intake wrote to the local spool because the broker did not confirm in time.");
        _spoolForwarded = Meter.CreateCounter<long>("syncgw.spool.forwarded", "{event}", "Spooled events the broker has since confirmed.");
        _spoolRefused = Meter.CreateCounter<long>("syncgw.spool.refused", "{event}", "Events refused (503) because the broker was away and the spool full.");
        _repair = Meter.CreateCounter<long>("syncgw.repair.items", "{item}",
            "Gap repair: group holes found, and each missing group seq or 1:1 history message by what the repair made of it (repaired, already-relayed, own-write, system, recalled, unrepairable).");
        _faultActions = Meter.CreateCounter<long>("syncgw.faults.actions", "{event}", "Faulted or parked events an operator replayed or discarded (action = replayed, discarded).");
    }

    /// <summary>This host's meter: a listener that wants only this host's measurements compares against it.</summary>
    public Meter Meter { get; }

    /// <summary>Span attribute names, shared by every span the gateway writes.</summary>
    public static class Tags
    {
        public const string Direction = "sync.direction";
        public const string Action = "action";
        public const string EventType = "sync.event.type";
        public const string EventId = "sync.event.id";
        public const string Conversation = "sync.conversation";
        public const string Outcome = "sync.outcome";
        public const string Reason = "sync.reason";
        public const string ImApi = "im.api";
        public const string ImErrorCode = "im.error_code";
        public const string RepairKind = "repair.kind";
    }

    /// <summary>Values of <see cref="Tags.Outcome"/> and the <c>outcome</c> metric tag.</summary>
    public static class Outcomes
    {
        public const string Published = "published";
        public const string Relayed = "relayed";
        public const string Applied = "applied";
        public const string SuppressedEcho = "suppressed-echo";
        public const string Duplicate = "duplicate";
        public const string Retried = "retried";
        public const string Faulted = "faulted";
        public const string Ignored = "ignored";
        public const string Rejected = "rejected";
        public const string Spooled = "spooled";
        public const string Parked = "parked";
    }

    public void RecordReceived(RelayDirection direction, string eventType)
        => _received.Add(1, new(Tags.Direction, direction.Name), new(Tags.EventType, eventType));

    /// <summary>Counts the outcome and sets it (and the reason, if any) on the current span.</summary>
    public void RecordOutcome(RelayDirection direction, string eventType, string outcome, string? reason = null)
    {
        _outcome.Add(1, new(Tags.Direction, direction.Name), new(Tags.EventType, eventType), new(Tags.Outcome, outcome));
        var activity = Activity.Current;
        if (activity is null)
        {
            return;
        }
        activity.SetTag(Tags.Outcome, outcome);
        if (reason is not null)
        {
            activity.SetTag(Tags.Reason, reason);
        }
        if (outcome == Outcomes.Faulted)
        {
            activity.SetStatus(ActivityStatusCode.Error, reason);
        }
    }

    /// <summary>An operator's replay or discard of one faulted or parked event.</summary>
    public void RecordFaultAction(RelayDirection direction, string action)
        => _faultActions.Add(1, new(Tags.Direction, direction.Name), new(Tags.Action, action));

    /// <summary><paramref name="count"/> repair items of <paramref name="kind"/> (<c>group</c>, <c>c2c</c>) with <paramref name="outcome"/> (<c>found</c> or a repair outcome).</summary>
    public void RecordRepair(string kind, string outcome, long count = 1)
    {
        if (count > 0)
        {
            _repair.Add(count, new(Tags.RepairKind, kind), new(Tags.Outcome, outcome));
        }
    }

    public void RecordSpooled(RelayDirection direction) => _spooled.Add(1, new KeyValuePair<string, object?>(Tags.Direction, direction.Name));

    public void RecordSpoolForwarded(RelayDirection direction) => _spoolForwarded.Add(1, new KeyValuePair<string, object?>(Tags.Direction, direction.Name));

    public void RecordSpoolRefused(RelayDirection direction) => _spoolRefused.Add(1, new KeyValuePair<string, object?>(Tags.Direction, direction.Name));

    /// <summary>The spool's depth, size and oldest age as gauges, read when a metrics reader collects.</summary>
    public void ObserveSpool(Func<long> depth, Func<long> bytes, Func<TimeSpan?> oldestAge)
    {
        Meter.CreateObservableGauge("syncgw.spool.depth", depth, "{event}", "Events waiting in the local spool.");
        Meter.CreateObservableGauge("syncgw.spool.bytes", bytes, "By", "Bytes of event bodies waiting in the local spool.");
        Meter.CreateObservableGauge("syncgw.spool.oldest_age", () => oldestAge()?.TotalSeconds ?? 0, "s", "How long the oldest spooled event has waited (0 when empty).");
    }

    /// <summary>Parked conversations and events and the oldest one's age, per direction, as of the parking worker's last count.</summary>
    public void ObserveParking(Func<IReadOnlyList<ParkingCounts>> counts)
    {
        Meter.CreateObservableGauge("syncgw.parked.conversations", () => counts().Select(c => Measure(c, c.Conversations)), "{conversation}", "Conversations parked behind an event that keeps failing.");
        Meter.CreateObservableGauge("syncgw.parked.events", () => counts().Select(c => Measure(c, c.Events)), "{event}", "Events waiting in parked conversations, their failing heads included.");
        Meter.CreateObservableGauge("syncgw.parked.oldest_age", () => counts().Select(c => new Measurement<double>(
            c.OldestParkedSince is { } since ? Math.Max(0, (DateTimeOffset.UtcNow - since).TotalSeconds) : 0,
            new KeyValuePair<string, object?>(Tags.Direction, c.Direction.Name))), "s", "How long the oldest parked conversation has been parked (0 when none is).");

        static Measurement<long> Measure(ParkingCounts counts, long value) => new(value, new KeyValuePair<string, object?>(Tags.Direction, counts.Direction.Name));
    }

    /// <summary>Faulted events waiting for an operator (<c>/admin/faults</c>), per direction.</summary>
    public void ObserveFaults(Func<IReadOnlyList<(RelayDirection Direction, long Count)>> counts)
        => Meter.CreateObservableGauge("syncgw.faults.open", () => counts().Select(c => new Measurement<long>(c.Count, new KeyValuePair<string, object?>(Tags.Direction, c.Direction.Name))),
            "{event}", "Faulted events kept for an operator to replay or discard.");

    /// <summary>1 while a dependency answers, else 0; tag <c>dependency</c> = broker or redis.</summary>
    public void ObserveDependencies(Func<bool> broker, Func<bool> redis)
        => Meter.CreateObservableGauge("syncgw.dependency.up", () => new[]
        {
            new Measurement<int>(broker() ? 1 : 0, new KeyValuePair<string, object?>("dependency", "broker")),
            new Measurement<int>(redis() ? 1 : 0, new KeyValuePair<string, object?>("dependency", "redis")),
        }, "1", "Whether the gateway's broker and Redis answer (1) or not (0).");

    public void RecordRelayLatency(RelayDirection direction, string eventType, TimeSpan latency)
        => _relayLatency.Record(Math.Max(0, latency.TotalSeconds), new(Tags.Direction, direction.Name), new(Tags.EventType, eventType));

    public void RecordImCall(string api, int errorCode)
        => _imCalls.Add(1, new(Tags.ImApi, api), new(Tags.ImErrorCode, errorCode));

    public void RecordRateLimiterWait(string api, TimeSpan waited)
        => _rateLimiterWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>(Tags.ImApi, api));

    /// <summary>Tags a span with the event it handles.</summary>
    public static void TagEvent(Activity? activity, RelayDirection direction, string eventType, string eventId, string conversation)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag(Tags.Direction, direction.Name);
        activity.SetTag(Tags.EventType, eventType);
        activity.SetTag(Tags.EventId, eventId);
        activity.SetTag(Tags.Conversation, conversation);
    }
}
