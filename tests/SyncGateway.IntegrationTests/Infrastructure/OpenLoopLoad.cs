using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.FromIm;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>Which side an event came from: an IM after-callback or a legacy delta.</summary>
internal enum Origin
{
    Im,
    Legacy,
}

/// <summary>What the gateway answered.</summary>
internal enum Answer
{
    /// <summary>IM's OK to a callback (200, <c>ActionStatus</c> OK) or 202 to a delta: the gateway has the event.</summary>
    Ok,
    /// <summary>Any other HTTP status.</summary>
    Error,
    /// <summary>No HTTP answer: connection refused or reset, or no answer within the request timeout.</summary>
    None,
}

/// <summary>
/// One event the load sent and what became of the request: its CloudEvent <paramref name="Id"/>,
/// <paramref name="Type"/> and <paramref name="Subject"/> (the gateway's conversation key) as the gateway names it.
/// Times are from the start of the load; latency counts from when the event was due, so a stalled gateway cannot
/// hide its queueing.
/// </summary>
internal sealed record SentEvent(
    Origin Origin,
    int Conversation,
    int Sequence,
    string Id,
    string Type,
    string Subject,
    TimeSpan ScheduledAt,
    TimeSpan AnsweredAt,
    Answer Answer,
    int? Status,
    string? Failure)
{
    public string Key => OpenLoopLoad.KeyOf(Origin, Conversation, Sequence);

    public TimeSpan Latency => AnsweredAt - ScheduledAt;
}

/// <summary>Rates (events per second, 0 = none of that kind) and how long to send.</summary>
internal sealed record LoadPlan(double CallbacksPerSecond, double DeltasPerSecond, TimeSpan Duration);

/// <summary>
/// An open-loop load on one gateway address (loopback only): IM callbacks (1:1 <c>C2C.CallbackAfterSendMsg</c> and
/// group <c>Group.CallbackAfterSendMsg</c>, signed as IM signs them) and legacy deltas (1:1 and group messages,
/// Standard Webhooks signed) leave on a fixed schedule whatever the answers, spread round-robin over the
/// conversations. Each event's text is <c>"{im|lg} c{conversation} #{sequence}"</c>, the sequence counting per
/// conversation, so the other side can tell what arrived and in which order (<see cref="Deliveries"/>). Stops by itself
/// after the plan's duration; every request ends within <see cref="RequestTimeout"/>.
/// </summary>
internal sealed partial class OpenLoopLoad : IAsyncDisposable
{
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Conversations of each origin.</summary>
    public const int ConversationCount = 40;

    private readonly HttpClient _http;
    private readonly LegacyDeltaSender _deltas;
    private readonly LoadPlan _plan;
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<SentEvent> _answered = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<IReadOnlyList<SentEvent>> _completion;

    private OpenLoopLoad(Uri gateway, LoadPlan plan)
    {
        if (!gateway.IsLoopback)
        {
            throw new ArgumentException($"the load is for loopback addresses only, not {gateway}", nameof(gateway));
        }
        _plan = plan;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 512,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            UseProxy = false,
            UseCookies = false,
        })
        {
            BaseAddress = gateway,
            Timeout = RequestTimeout,
        };
        _deltas = new LegacyDeltaSender(_http, new Uri(gateway, "/legacy/events"), GatewayHost.IngressSecret);
        _completion = RunAsync();
    }

    /// <summary>Starts sending at once.</summary>
    public static OpenLoopLoad Start(Uri gateway, LoadPlan plan) => new(gateway, plan);

    /// <summary>
    /// One callback and one delta of each kind, one after another, so that a fresh gateway has compiled its paths
    /// before the load measures them; their text is not a load key, so no report counts them.
    /// </summary>
    public static async Task WarmUpAsync(Uri gateway)
    {
        await using var warmUp = new OpenLoopLoad(gateway, new LoadPlan(0, 0, TimeSpan.Zero));
        // A 1:1 and a group conversation; the callbacks' MsgSeq far above any the load sends.
        foreach (var conversation in new[] { 0, 3 })
        {
            foreach (var (_, _, _, send) in new[] { warmUp.Callback(1_000_000 + conversation, conversation, "warm-up"), warmUp.Delta(conversation, -1, "warm-up") })
            {
                using var response = await send();
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"the gateway answered a warm-up request {(int)response.StatusCode}");
                }
            }
        }
    }

    /// <summary>Time since the load started, on the clock of <see cref="SentEvent"/>'s times.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Every event sent, once the last one was answered or gave up.</summary>
    public Task<IReadOnlyList<SentEvent>> Completion => _completion;

    /// <summary>The events answered (or given up) so far.</summary>
    public IReadOnlyList<SentEvent> Answered => [.. _answered];

    /// <summary>Waits until the load has been running for <paramref name="time"/>: a point in its schedule.</summary>
    public async Task UntilAsync(TimeSpan time)
    {
        var wait = time - _clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    /// <summary>Sends nothing more; what is in flight finishes.</summary>
    public void Stop() => _stop.Cancel();

    /// <summary>Whether a conversation is a group's (one in four) or a 1:1 pair's.</summary>
    public static bool IsGroup(int conversation) => conversation % 4 == 3;

    /// <summary>A fake IM that takes the load's deltas: it has their groups, and raises callbacks but posts none.</summary>
    public static async Task<FakeImServer> StartFakeImAsync()
    {
        var im = new FakeImServer(new FakeImOptions { SdkAppId = GatewayHost.SdkAppId, CallbackToken = GatewayHost.CallbackToken });
        await im.StartAsync();
        foreach (var group in Enumerable.Range(0, ConversationCount).Where(IsGroup).Select(LegacyGroupId))
        {
            await im.SimulateUserCreateGroupAsync("u_owner", "load group", groupId: group);
        }
        return im;
    }

    private static string LegacyGroupId(int conversation) => $"lg_load_{conversation}";

    public static string KeyOf(Origin origin, int conversation, int sequence)
        => string.Create(CultureInfo.InvariantCulture, $"{(origin == Origin.Im ? "im" : "lg")} c{conversation} #{sequence}");

    /// <summary>The origin, conversation and sequence of a text this load sent; null for any other text.</summary>
    public static (Origin Origin, int Conversation, int Sequence)? ParseKey(string? text)
    {
        if (text is null || KeyPattern().Match(text) is not { Success: true } match)
        {
            return null;
        }
        return (match.Groups[1].Value == "im" ? Origin.Im : Origin.Legacy,
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^(im|lg) c(\d+) #(\d+)$")]
    private static partial Regex KeyPattern();

    private async Task<IReadOnlyList<SentEvent>> RunAsync()
    {
        await Task.WhenAll(
            Task.Run(() => ScheduleAsync(Origin.Im, _plan.CallbacksPerSecond)),
            Task.Run(() => ScheduleAsync(Origin.Legacy, _plan.DeltasPerSecond)));
        return Answered;
    }

    private async Task ScheduleAsync(Origin origin, double perSecond)
    {
        if (perSecond <= 0)
        {
            return;
        }
        var total = (int)(perSecond * _plan.Duration.TotalSeconds);
        var inFlight = new List<Task>(total);
        for (var i = 0; i < total && !_stop.IsCancellationRequested; i++)
        {
            var scheduledAt = TimeSpan.FromSeconds(i / perSecond);
            var wait = scheduledAt - _clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                try
                {
                    await Task.Delay(wait, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            var n = i;
            inFlight.Add(Task.Run(() => SendAsync(origin, n, scheduledAt)));
        }
        await Task.WhenAll(inFlight);
    }

    private async Task SendAsync(Origin origin, int n, TimeSpan scheduledAt)
    {
        var conversation = n % ConversationCount;
        var sequence = n / ConversationCount;
        var text = KeyOf(origin, conversation, sequence);
        var (id, type, subject, send) = origin == Origin.Im ? Callback(n, conversation, text) : Delta(conversation, sequence, text);
        Answer answer;
        int? status = null;
        string? failure = null;
        try
        {
            using var response = await send();
            status = (int)response.StatusCode;
            var ok = origin == Origin.Im
                ? response.StatusCode == HttpStatusCode.OK && (await response.Content.ReadAsStringAsync()).Contains("\"ActionStatus\":\"OK\"", StringComparison.Ordinal)
                : response.StatusCode == HttpStatusCode.Accepted;
            answer = ok ? Answer.Ok : Answer.Error;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            answer = Answer.None;
            failure = e is HttpRequestException { HttpRequestError: var error } ? error.ToString() : "timeout";
        }
        _answered.Enqueue(new SentEvent(origin, conversation, sequence, id, type, subject, scheduledAt, _clock.Elapsed, answer, status, failure));
    }

    /// <summary>
    /// Callback <paramref name="n"/>: three in four conversations are 1:1, the rest groups. <c>MsgSeq</c> and the random
    /// are <paramref name="n"/>, unique in the run, so every callback is a distinct IM message. Its id is the one the
    /// gateway derives from IM's natural key (<see cref="EventIds"/>).
    /// </summary>
    private (string Id, string Type, string Subject, Func<Task<HttpResponseMessage>> Send) Callback(int n, int conversation, string text)
    {
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var eventTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var textJson = JsonValue.Create(text).ToJsonString();
        string command, body, id, type, subject;
        if (IsGroup(conversation))
        {
            command = GroupMessageDeclaration.Command;
            type = EventTypes.ImGroupMessageSent;
            var group = $"@TGS#load{conversation}";
            subject = Conversations.Group(group);
            id = EventIds.For(command, group, null, n.ToString(CultureInfo.InvariantCulture));
            body = $$$"""
                {"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"{{{group}}}","Type":"Public","From_Account":"u_im{{{conversation}}}a",
                 "Operator_Account":"u_im{{{conversation}}}a","Random":{{{n}}},"MsgSeq":{{{n}}},"MsgTime":{{{seconds}}},"OnlineOnlyFlag":0,
                 "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":{{{textJson}}}}}],"CloudCustomData":"","EventTime":{{{eventTime}}}}
                """;
        }
        else
        {
            command = C2CMessageDeclaration.Command;
            type = EventTypes.ImC2CMessageSent;
            var (from, to) = ($"u_im{conversation}a", $"u_im{conversation}b");
            subject = Conversations.C2C(from, to);
            var msgKey = $"{n}_{n}_{seconds}";
            id = EventIds.For(command, from, to, msgKey);
            body = $$$"""
                {"CallbackCommand":"C2C.CallbackAfterSendMsg","From_Account":"{{{from}}}","To_Account":"{{{to}}}","MsgSeq":{{{n}}},
                 "MsgRandom":{{{n}}},"MsgTime":{{{seconds}}},"MsgKey":"{{{msgKey}}}","OnlineOnlyFlag":0,"SendMsgResult":0,"ErrorInfo":"send msg succeed",
                 "UnreadMsgNum":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":{{{textJson}}}}}],"CloudCustomData":"","EventTime":{{{eventTime}}}}
                """;
        }
        var query = ImCallbackSigner.BuildQuery(GatewayHost.SdkAppId, command, "Android", "203.0.113.10", GatewayHost.CallbackToken, seconds);
        return (id, type, subject, () =>
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return _http.PostAsync(new Uri("/im/callbacks?" + query, UriKind.Relative), content);
        });
    }

    /// <summary>Delta <paramref name="sequence"/> of a conversation: a 1:1 message, or a group message in a group of <see cref="StartFakeImAsync"/>.</summary>
    private (string Id, string Type, string Subject, Func<Task<HttpResponseMessage>> Send) Delta(int conversation, int sequence, string text)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"load-{_run}-c{conversation}-{sequence}");
        var body = new JsonArray(new JsonObject { ["msgType"] = "TIMTextElem", ["msgContent"] = new JsonObject { ["Text"] = text } });
        var (from, to, group) = ($"u_lg{conversation}a", $"u_lg{conversation}b", LegacyGroupId(conversation));
        var delta = IsGroup(conversation)
            ? LegacyDeltaSender.Delta(EventTypes.LegacyGroupMessageSent, id, new JsonObject { ["groupId"] = group, ["from"] = from, ["body"] = body })
            : LegacyDeltaSender.Delta(EventTypes.LegacyC2CMessageSent, id, new JsonObject { ["from"] = from, ["to"] = to, ["body"] = body });
        return (id, (string)delta["type"]!, IsGroup(conversation) ? Conversations.Group(group) : Conversations.C2C(from, to), () => _deltas.SendAsync(delta));
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _completion;
        _http.Dispose();
        _stop.Dispose();
    }
}
