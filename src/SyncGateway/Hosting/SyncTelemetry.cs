using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SyncGateway.Hosting;

/// <summary>
/// The gateway's own traces and metrics: one <see cref="ActivitySource"/> and one <see cref="Meter"/>.
/// Metric tags stay low-cardinality (direction, type, outcome, api, code); user and group ids go on spans only.
/// </summary>
internal static class SyncTelemetry
{
    public const string Name = "SyncGateway";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public const string ToLegacy = "im-to-legacy";
    public const string ToIm = "legacy-to-im";

    /// <summary>Span attribute names, shared by every span the gateway writes.</summary>
    public static class Tags
    {
        public const string Direction = "sync.direction";
        public const string EventType = "sync.event.type";
        public const string EventId = "sync.event.id";
        public const string Conversation = "sync.conversation";
        public const string Outcome = "sync.outcome";
        public const string Reason = "sync.reason";
        public const string ImApi = "im.api";
        public const string ImErrorCode = "im.error_code";
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
    }

    private static readonly Counter<long> Received = Meter.CreateCounter<long>("syncgw.events.received", "{event}", "Events accepted at an intake (IM callbacks, legacy ingress).");
    private static readonly Counter<long> Outcome = Meter.CreateCounter<long>("syncgw.events.outcome", "{event}", "Events by outcome: published, relayed, applied, suppressed-echo, duplicate, retried, faulted, ignored, rejected.");
    private static readonly Histogram<double> RelayLatency = Meter.CreateHistogram<double>("syncgw.relay.latency", "s", "From the event's own time to its delivery on the other side.");
    private static readonly Counter<long> ImCalls = Meter.CreateCounter<long>("syncgw.im.calls", "{call}", "IM REST calls by API and result code.");
    private static readonly Histogram<double> RateLimiterWait = Meter.CreateHistogram<double>("syncgw.ratelimiter.wait", "s", "Time spent waiting for the IM REST rate limiter.");

    public static void RecordReceived(string direction, string eventType)
        => Received.Add(1, new(Tags.Direction, direction), new(Tags.EventType, eventType));

    /// <summary>Counts the outcome and sets it (and the reason, if any) on the current span.</summary>
    public static void RecordOutcome(string direction, string eventType, string outcome, string? reason = null)
    {
        Outcome.Add(1, new(Tags.Direction, direction), new(Tags.EventType, eventType), new(Tags.Outcome, outcome));
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

    public static void RecordRelayLatency(string direction, string eventType, TimeSpan latency)
        => RelayLatency.Record(Math.Max(0, latency.TotalSeconds), new(Tags.Direction, direction), new(Tags.EventType, eventType));

    public static void RecordImCall(string api, int errorCode)
        => ImCalls.Add(1, new(Tags.ImApi, api), new(Tags.ImErrorCode, errorCode));

    public static void RecordRateLimiterWait(string api, TimeSpan waited)
        => RateLimiterWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>(Tags.ImApi, api));

    /// <summary>Tags a span with the event it handles.</summary>
    public static void TagEvent(Activity? activity, string direction, string eventType, string eventId, string conversation)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetTag(Tags.Direction, direction);
        activity.SetTag(Tags.EventType, eventType);
        activity.SetTag(Tags.EventId, eventId);
        activity.SetTag(Tags.Conversation, conversation);
    }
}
