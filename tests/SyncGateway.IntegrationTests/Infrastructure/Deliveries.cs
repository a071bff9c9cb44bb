using System.Globalization;
using System.Text;
using System.Text.Json;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// One arrival of an <see cref="OpenLoopLoad"/> event on the other side: an IM event POSTed to the fake legacy system
/// (<paramref name="Id"/> the CloudEvent id, <paramref name="WebhookId"/> its <c>webhook-id</c>) or a legacy event
/// written to the fake IM (<paramref name="Id"/> the call's <c>MsgRandom</c> or <c>Random</c>).
/// </summary>
internal sealed record Delivery(Origin Origin, int Conversation, int Sequence, string Id, string? WebhookId)
{
    public string Key => OpenLoopLoad.KeyOf(Origin, Conversation, Sequence);
}

/// <summary>What reached the other side, in arrival order, and how it compares with what was sent.</summary>
internal static class Deliveries
{
    /// <summary>The load's IM events the fake legacy system accepted.</summary>
    public static IReadOnlyList<Delivery> AtLegacy(FakeLegacyServer legacy)
        => [.. legacy.Received.Select(e => (e, key: OpenLoopLoad.ParseKey(FirstText(e.Data))))
            .Where(r => r.key is { Origin: Origin.Im })
            .Select(r => new Delivery(Origin.Im, r.key!.Value.Conversation, r.key.Value.Sequence, r.e.Id, r.e.WebhookId))];

    /// <summary>The load's legacy events the fake IM accepted (successful <c>sendmsg</c> and <c>send_group_msg</c> calls, repeats included).</summary>
    public static IReadOnlyList<Delivery> AtIm(FakeImServer im)
        => [.. im.Calls.Where(c => c.ErrorCode == 0 && c.Body is not null && c.Api is "openim/sendmsg" or "group_open_http_svc/send_group_msg")
            .Select(c => (call: c, key: OpenLoopLoad.ParseKey(c.Body!["MsgBody"]?[0]?["MsgContent"]?["Text"]?.GetValue<string>())))
            .Where(r => r.key is { Origin: Origin.Legacy })
            .Select(r => new Delivery(Origin.Legacy, r.key!.Value.Conversation, r.key.Value.Sequence,
                (r.call.Body!["MsgRandom"] ?? r.call.Body!["Random"])?.ToJsonString() ?? "", null))];

    /// <summary>
    /// Waits until every event answered OK has arrived and then no arrival came for <paramref name="quiet"/> (late
    /// repeats count too); returns how long that took, or null when <paramref name="timeout"/> passed first (the
    /// reports then say what is missing).
    /// </summary>
    public static async Task<TimeSpan?> WaitUntilSettledAsync(IReadOnlyList<SentEvent> sent, Func<IReadOnlyList<Delivery>> delivered, TimeSpan timeout, TimeSpan quiet)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var lastCount = -1;
        var lastChange = TimeSpan.Zero;
        while (clock.Elapsed < timeout)
        {
            var arrivals = delivered();
            if (arrivals.Count != lastCount)
            {
                lastCount = arrivals.Count;
                lastChange = clock.Elapsed;
            }
            var all = DeliveryReport.AllArrived(sent, arrivals, Origin.Im) && DeliveryReport.AllArrived(sent, arrivals, Origin.Legacy);
            if (all && clock.Elapsed - lastChange >= quiet)
            {
                return lastChange;
            }
            await Task.Delay(100);
        }
        return null;
    }

    private static string? FirstText(JsonElement data)
        => data.TryGetProperty("body", out var body) && body.ValueKind == JsonValueKind.Array && body.GetArrayLength() > 0
            && body[0].TryGetProperty("msgContent", out var content) && content.TryGetProperty("Text", out var text)
                ? text.GetString()
                : null;
}

/// <summary>
/// The sent events of one origin against their deliveries: what was answered OK and never arrived, what arrived more
/// than once (and whether every arrival carried the same id), and order. Order is checked where it is defined: when
/// event a of a conversation was answered OK before event b of it was sent, a must arrive (first) before b.
/// </summary>
internal sealed class DeliveryReport
{
    public DeliveryReport(Origin origin, IReadOnlyList<SentEvent> sent, IReadOnlyList<Delivery> delivered)
    {
        Origin = origin;
        Sent = [.. sent.Where(e => e.Origin == origin)];
        var arrivals = delivered.Where(d => d.Origin == origin).ToList();
        var byKey = arrivals.GroupBy(d => d.Key).ToDictionary(g => g.Key, g => g.ToList());
        Lost = [.. Sent.Where(e => e.Answer == Answer.Ok && !byKey.ContainsKey(e.Key))];
        Duplicated = byKey.Values.Where(d => d.Count > 1).ToList();
        DuplicatesWithDifferentIds = [.. Duplicated.Where(d => d.Select(x => (x.Id, x.WebhookId)).Distinct().Count() > 1)];
        DeliveredKeys = byKey.Count;
        DeliveredWithoutOk = Sent.Count(e => e.Answer != Answer.Ok && byKey.ContainsKey(e.Key));
        Unexpected = byKey.Keys.Except(Sent.Select(e => e.Key)).Count();
        // Towards legacy the arrival's id is the CloudEvent id, which must be the one the gateway gave the event.
        var sentIds = Sent.ToDictionary(e => e.Key, e => e.Id);
        WithOtherId = origin == Origin.Im ? arrivals.Count(d => sentIds.TryGetValue(d.Key, out var id) && (d.Id != id || d.WebhookId != id)) : 0;

        var firstArrival = new Dictionary<string, int>();
        for (var i = 0; i < arrivals.Count; i++)
        {
            firstArrival.TryAdd(arrivals[i].Key, i);
        }
        var violations = new List<string>();
        var orderedPairs = 0;
        foreach (var conversation in Sent.Where(e => firstArrival.ContainsKey(e.Key)).GroupBy(e => e.Conversation))
        {
            var events = conversation.OrderBy(e => e.Sequence).ToList();
            foreach (var b in events)
            {
                foreach (var a in events)
                {
                    if (a.Answer == Answer.Ok && a.AnsweredAt < b.ScheduledAt)
                    {
                        orderedPairs++;
                        if (firstArrival[a.Key] > firstArrival[b.Key])
                        {
                            violations.Add($"{b.Key} arrived before {a.Key}, which was answered OK before {b.Key} was sent");
                        }
                    }
                }
            }
        }
        OrderViolations = violations;
        OrderedPairs = orderedPairs;
    }

    public Origin Origin { get; }

    public IReadOnlyList<SentEvent> Sent { get; }

    /// <summary>Answered OK and never delivered.</summary>
    public IReadOnlyList<SentEvent> Lost { get; }

    /// <summary>The arrivals of each event delivered more than once.</summary>
    public IReadOnlyList<IReadOnlyList<Delivery>> Duplicated { get; }

    /// <summary>Events whose repeated arrivals did not all carry the same id (and <c>webhook-id</c>).</summary>
    public IReadOnlyList<IReadOnlyList<Delivery>> DuplicatesWithDifferentIds { get; }

    public int DeliveredKeys { get; }

    /// <summary>Delivered although the gateway answered an error or nothing (it had taken the event before failing to answer).</summary>
    public int DeliveredWithoutOk { get; }

    /// <summary>Arrivals at legacy whose CloudEvent id or <c>webhook-id</c> is not the event's id.</summary>
    public int WithOtherId { get; }

    /// <summary>Delivered events this load did not send.</summary>
    public int Unexpected { get; }

    public IReadOnlyList<string> OrderViolations { get; }

    /// <summary>How many (a before b) pairs the order check covered.</summary>
    public int OrderedPairs { get; }

    public int Count(Answer answer) => Sent.Count(e => e.Answer == answer);

    public void AssertNothingLost()
        => Assert.True(Lost.Count == 0, $"{Origin}: {Lost.Count} events answered OK were never delivered: {Describe(Lost)}");

    public void AssertNothingTwice()
        => Assert.True(Duplicated.Count == 0,
            $"{Origin}: {Duplicated.Count} events delivered more than once: {string.Join(", ", Duplicated.Take(5).Select(d => $"{d[0].Key} × {d.Count}"))}");

    public void AssertInOrder()
        => Assert.True(OrderViolations.Count == 0, $"{Origin}: {OrderViolations.Count} order violations: {string.Join("; ", OrderViolations.Take(5))}");

    /// <summary>The first few events, with their answers, for a failure message.</summary>
    public static string Describe(IEnumerable<SentEvent> events)
    {
        var list = events.ToList();
        var shown = list.Take(8).Select(e => string.Create(CultureInfo.InvariantCulture,
            $"{e.Key} ({e.Id}) sent at {e.ScheduledAt.TotalSeconds:F2} s: {e.Answer} {e.Status?.ToString(CultureInfo.InvariantCulture) ?? e.Failure} after {e.Latency.TotalMilliseconds:F0} ms"));
        return string.Join("; ", shown) + (list.Count > 8 ? $"; … ({list.Count} in all)" : "");
    }

    /// <summary>Every event answered OK has arrived.</summary>
    public static bool AllArrived(IReadOnlyList<SentEvent> sent, IReadOnlyList<Delivery> delivered, Origin origin)
    {
        var arrived = delivered.Where(d => d.Origin == origin).Select(d => d.Key).ToHashSet();
        return sent.Where(e => e.Origin == origin && e.Answer == Answer.Ok).All(e => arrived.Contains(e.Key));
    }

    public override string ToString()
    {
        var ok = Sent.Where(e => e.Answer == Answer.Ok).Select(e => e.Latency.TotalMilliseconds).Order().ToArray();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{(Origin == Origin.Im ? "IM callbacks → legacy" : "legacy deltas → IM")}: sent {Sent.Count}, ")
            .Append(CultureInfo.InvariantCulture, $"OK {Count(Answer.Ok)}, error {Count(Answer.Error)}, no answer {Count(Answer.None)}; ")
            .Append(CultureInfo.InvariantCulture, $"OK latency p50 {Percentile(ok, 0.50):F0} ms, p99 {Percentile(ok, 0.99):F0} ms, max {(ok.Length == 0 ? double.NaN : ok[^1]):F0} ms, over 2 s {ok.Count(l => l > 2000)}; ")
            .Append(CultureInfo.InvariantCulture, $"delivered {DeliveredKeys} (without OK {DeliveredWithoutOk}, unexpected {Unexpected}, with another id {WithOtherId}), lost after OK {Lost.Count}, ")
            .Append(CultureInfo.InvariantCulture, $"delivered more than once {Duplicated.Count} ({Duplicated.Sum(d => d.Count - 1)} extra, with differing ids {DuplicatesWithDifferentIds.Count}), ")
            .Append(CultureInfo.InvariantCulture, $"order violations {OrderViolations.Count} of {OrderedPairs} ordered pairs");
        var errors = Sent.Where(e => e.Answer != Answer.Ok).GroupBy(e => e.Status?.ToString(CultureInfo.InvariantCulture) ?? e.Failure ?? "?")
            .Select(g => $"{g.Key} × {g.Count()}").ToList();
        if (errors.Count > 0)
        {
            text.Append("; not OK: ").Append(string.Join(", ", errors));
        }
        return text.ToString();
    }

    private static double Percentile(double[] sorted, double p)
        => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
