using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SyncGateway.Fakes.Im;

/// <summary>
/// A Tencent Cloud IM REST server on 127.0.0.1 (random port) that behaves the way the reference documents IM:
/// checks the signed query string and each API's required fields and batch limits, keeps the application's state,
/// applies IM's dedupe rules, raises the after-callbacks REST writes raise (posted to <see cref="FakeImOptions.CallbackUrl"/>),
/// and records every call. Faults and rate limits can be scripted; user actions in IM's clients can be simulated.
/// </summary>
/// <example>
/// <code>
/// await using var im = new FakeImServer(new FakeImOptions { SecretKey = "k" });
/// await im.StartAsync();
/// // configure the client under test with im.BaseUrl, im.Options.SdkAppId, im.Options.AdminIdentifier, "k"
/// var calls = await im.WaitForCallsAsync(FakeImApis.SendMsg, 1, TimeSpan.FromSeconds(10));
/// </code>
/// </example>
public sealed class FakeImServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly FakeImWorld _world;
    private readonly Recorder<RecordedImCall> _calls = new();
    private readonly Recorder<RecordedCallback> _callbacks = new();
    private readonly CallbackDispatcher _dispatcher;
    private readonly Lock _scriptLock = new();
    private readonly Dictionary<string, Queue<(int ErrorCode, string ErrorInfo, int HttpStatus)>> _faults = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lostAnswers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RateLimit> _rateLimits = new(StringComparer.Ordinal);
    private WebApplication? _app;
    private Uri? _baseUrl;

    public FakeImServer(FakeImOptions? options = null)
    {
        Options = options ?? new FakeImOptions();
        _dispatcher = new CallbackDispatcher(Options, _callbacks);
        _world = new FakeImWorld(Options, _dispatcher.Enqueue);
    }

    /// <summary>The settings; those documented as live can be changed while the server runs.</summary>
    public FakeImOptions Options { get; }

    /// <summary><c>http://127.0.0.1:{port}</c>: scheme and host only, as <c>Im:ApiBaseUrl</c> expects.</summary>
    public Uri BaseUrl => _baseUrl ?? throw new InvalidOperationException("The fake IM server is not started.");

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_app is not null)
        {
            throw new InvalidOperationException("The fake IM server is started already.");
        }
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/v4/{service}/{command}", (HttpContext http, string service, string command) => HandleAsync(http, $"{service}/{command}"));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _baseUrl = new Uri(new Uri(address).GetLeftPart(UriPartial.Authority));
        _app = app;
        _dispatcher.Start();
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync(cancellationToken);
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _dispatcher.DisposeAsync();
    }


    /// <summary>
    /// Called for every REST call once its answer is decided, whether or not <see cref="FakeImOptions.RecordCalls"/> keeps it;
    /// on the request's thread, so it must be quick and thread-safe.
    /// </summary>
    public Action<RecordedImCall>? CallObserved { get; set; }

    /// <summary>Every REST call so far, in the order their answers were decided (none when <see cref="FakeImOptions.RecordCalls"/> is off).</summary>
    public IReadOnlyList<RecordedImCall> Calls => _calls.Snapshot();

    /// <summary>The calls to one API (<see cref="FakeImApis"/>).</summary>
    public IReadOnlyList<RecordedImCall> CallsTo(string api) => [.. _calls.Snapshot().Where(c => c.Api == api)];

    /// <summary>Waits until at least <paramref name="count"/> calls to <paramref name="api"/> were recorded and returns them.</summary>
    /// <exception cref="TimeoutException">Fewer arrived within <paramref name="timeout"/>.</exception>
    public async Task<IReadOnlyList<RecordedImCall>> WaitForCallsAsync(string api, int count, TimeSpan timeout)
    {
        var calls = await _calls.WaitUntilAsync(all => all.Count(c => c.Api == api) >= count, timeout, $"{count} calls to {api}");
        return [.. calls.Where(c => c.Api == api)];
    }

    /// <summary>Every callback raised so far with its delivery result, in the order raised.</summary>
    public IReadOnlyList<RecordedCallback> Callbacks => _callbacks.Snapshot();

    /// <summary>The callbacks lost on purpose (<see cref="FakeImOptions.CallbackLossRate"/>, <see cref="FakeImOptions.LoseCallback"/>), in the order raised.</summary>
    public IReadOnlyList<RecordedCallback> LostCallbacks => [.. _callbacks.Snapshot().Where(c => c.Lost)];

    /// <summary>Callbacks raised but not yet posted: they go out one at a time, as IM sends them.</summary>
    public int PendingCallbacks => _dispatcher.Pending;

    /// <summary>Waits until at least <paramref name="count"/> callbacks with <paramref name="command"/> were posted (or failed to be).</summary>
    /// <exception cref="TimeoutException">Fewer were raised within <paramref name="timeout"/>.</exception>
    public async Task<IReadOnlyList<RecordedCallback>> WaitForCallbacksAsync(string command, int count, TimeSpan timeout)
    {
        var callbacks = await _callbacks.WaitUntilAsync(all => all.Count(c => c.Command == command) >= count, timeout, $"{count} {command} callbacks");
        return [.. callbacks.Where(c => c.Command == command)];
    }

    /// <summary>The most calls to <paramref name="api"/> that arrived within any one-second window.</summary>
    public int MaxCallsInAnyWindow(string api)
    {
        var frequency = Options.TimeProvider.TimestampFrequency;
        var arrivals = CallsTo(api).Select(c => c.ArrivalTimestamp).Order().ToArray();
        var busiest = 0;
        var first = 0;
        for (var last = 0; last < arrivals.Length; last++)
        {
            while (arrivals[last] - arrivals[first] >= frequency)
            {
                first++;
            }
            busiest = Math.Max(busiest, last - first + 1);
        }
        return busiest;
    }


    /// <summary>The next <paramref name="times"/> calls to <paramref name="api"/> (that pass the signature check) answer <paramref name="errorCode"/>, changing nothing.</summary>
    public void FailNext(string api, int errorCode, int times = 1, string errorInfo = "scripted failure")
        => Script(api, times, (errorCode, errorInfo, 200));

    /// <summary>The next <paramref name="times"/> calls to <paramref name="api"/> answer HTTP <paramref name="httpStatus"/> with no IM body, changing nothing.</summary>
    public void FailNextWithHttpStatus(string api, int httpStatus, int times = 1)
        => Script(api, times, (0, "", httpStatus));

    /// <summary>
    /// The next <paramref name="times"/> calls to <paramref name="api"/> that succeed are applied and then answered 60008
    /// (IM's "request timed out", after which the call may have executed): the caller sees a timeout for a write IM made.
    /// </summary>
    public void LoseNextAnswers(string api, int times = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (_scriptLock)
        {
            _lostAnswers[api] = _lostAnswers.GetValueOrDefault(api) + times;
        }
    }

    /// <summary>
    /// Answers 60007 to a call to <paramref name="api"/> when <paramref name="callsPerSecond"/> calls were already accepted within
    /// the last second, and counts it in <see cref="RateLimitViolations"/>. Refused calls do not use up the budget.
    /// </summary>
    public void EnforceRateLimit(string api, int callsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callsPerSecond);
        lock (_scriptLock)
        {
            _rateLimits[api] = new RateLimit(callsPerSecond);
        }
    }

    /// <summary>How many calls to <paramref name="api"/> the enforced rate limit refused.</summary>
    public int RateLimitViolations(string api)
    {
        lock (_scriptLock)
        {
            return _rateLimits.TryGetValue(api, out var limit) ? limit.Violations : 0;
        }
    }

    private void Script(string api, int times, (int, string, int) fault)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(times);
        lock (_scriptLock)
        {
            if (!_faults.TryGetValue(api, out var queue))
            {
                _faults[api] = queue = new Queue<(int, string, int)>();
            }
            for (var i = 0; i < times; i++)
            {
                queue.Enqueue(fault);
            }
        }
    }


    /// <summary>Marks accounts as imported (for <see cref="FakeImOptions.RequireImportedAccounts"/> and <c>account_check</c>).</summary>
    public void SeedAccounts(params IEnumerable<string> accounts) => _world.SeedAccounts(accounts);

    public bool IsImported(string account) => _world.IsImported(account);

    /// <summary>A snapshot of a group; null when it does not exist (never created, or dismissed).</summary>
    public FakeGroup? GetGroup(string groupId) => _world.GetGroup(groupId);

    public IReadOnlyList<string> GroupIds => _world.GroupIds();

    /// <summary>The 1:1 conversation between two accounts (either order), by time then MsgSeq.</summary>
    public IReadOnlyList<FakeC2CMessage> GetC2CMessages(string account, string peer) => _world.C2CMessages(account, peer);

    /// <summary>Unread 1:1 messages from <paramref name="peer"/> for <paramref name="owner"/>.</summary>
    public int GetC2CUnread(string owner, string peer) => _world.C2CUnread(owner, peer);

    /// <summary>The <c>MsgReadTime</c> last set by <c>admin_set_msg_read</c> or a user's read report, if any.</summary>
    public long? GetReadMark(string report, string peer) => _world.ReadMark(report, peer);

    public IReadOnlyDictionary<string, JsonNode?> GetProfile(string account) => _world.GetProfile(account);

    /// <summary>The accounts on <paramref name="account"/>'s friend list (one direction: imported, added or not yet deleted).</summary>
    public IReadOnlyList<string> GetFriends(string account) => _world.GetFriends(account);

    /// <summary>The stored 1:1 message with this <c>MsgKey</c>, as edited and recalled; null when none.</summary>
    /// <exception cref="InvalidOperationException">Two conversations hold a message with this key.</exception>
    public FakeC2CMessage? FindC2CMessage(string msgKey) => _world.FindC2CMessage(msgKey);

    /// <summary>Message <paramref name="msgSeq"/> of a group, as edited and recalled; null when the group or the message does not exist.</summary>
    public FakeGroupMessage? GetGroupMessage(string groupId, long msgSeq) => _world.GetGroupMessage(groupId, msgSeq);

    /// <summary>Forgets all state, recorded calls and callbacks, scripted faults and rate limits; callback loss draws start again from the seed.</summary>
    public void Reset()
    {
        _world.Reset();
        _calls.Clear();
        _callbacks.Clear();
        _dispatcher.RestartLossDraws();
        lock (_scriptLock)
        {
            _faults.Clear();
            _lostAnswers.Clear();
            _rateLimits.Clear();
        }
    }


    /// <summary>
    /// A user sends a 1:1 text message from an IM client: stored, counted unread, and <c>C2C.CallbackAfterSendMsg</c> raised with
    /// <c>OptPlatform</c> = <paramref name="platform"/>. Like every <c>SimulateUser…</c> method, completes once the callback was posted.
    /// </summary>
    public Task<FakeC2CMessage> SimulateUserC2CMessageAsync(string from, string to, string text, string platform = "Android")
        => SimulateUserC2CMessageAsync(from, to, TextBody(text), null, platform);

    public async Task<FakeC2CMessage> SimulateUserC2CMessageAsync(string from, string to, JsonArray msgBody, string? cloudCustomData, string platform = "Android")
    {
        var (message, delivery) = _world.UserSendsC2C(from, to, msgBody, cloudCustomData, User(from, platform));
        await delivery;
        return message;
    }

    /// <summary>A user sends a group text message; <c>Group.CallbackAfterSendMsg</c> has the user as <c>Operator_Account</c>.</summary>
    public Task<FakeGroupMessage> SimulateUserGroupMessageAsync(string groupId, string from, string text, string platform = "Android")
        => SimulateUserGroupMessageAsync(groupId, from, TextBody(text), null, platform);

    public async Task<FakeGroupMessage> SimulateUserGroupMessageAsync(string groupId, string from, JsonArray msgBody, string? cloudCustomData, string platform = "Android")
    {
        var (message, delivery) = _world.UserSendsGroupMessage(groupId, from, msgBody, cloudCustomData, User(from, platform));
        await delivery;
        return message;
    }

    /// <summary>A user creates a group; returns its id (<c>@TGS#…</c> unless <paramref name="groupId"/> is given).</summary>
    public async Task<string> SimulateUserCreateGroupAsync(string owner, string name, string type = "Public", string? groupId = null, IEnumerable<string>? members = null, string platform = "Android")
    {
        var (id, delivery) = _world.UserCreatesGroup(owner, name, type, groupId, members ?? [], User(owner, platform));
        await delivery;
        return id;
    }

    public Task SimulateUserDestroyGroupAsync(string groupId, string owner, string platform = "Android")
        => _world.UserDestroysGroup(groupId, User(owner, platform));

    /// <summary>A member edits the group profile; null fields stay unchanged. No callback when nothing changed.</summary>
    public Task SimulateUserChangeGroupInfoAsync(string groupId, string operatorAccount, string? name = null, string? introduction = null, string? notification = null, string? faceUrl = null, string platform = "Android")
        => _world.UserChangesGroupInfo(groupId, name, introduction, notification, faceUrl, User(operatorAccount, platform)) ?? Task.CompletedTask;

    /// <summary>An owner or admin changes a member's role (<c>Admin</c>/<c>Member</c>) or name card in a client.</summary>
    public Task SimulateUserChangeMemberAsync(string groupId, string operatorAccount, string member, string? role = null, string? nameCard = null, string platform = "Android")
        => _world.UserChangesMember(groupId, member, role, nameCard, User(operatorAccount, platform)) ?? Task.CompletedTask;

    /// <summary>The owner hands the group to another member in a client.</summary>
    public Task SimulateUserTransferOwnershipAsync(string groupId, string owner, string newOwner, string platform = "Android")
        => _world.UserTransfersOwnership(groupId, newOwner, User(owner, platform)) ?? Task.CompletedTask;

    /// <summary>A user's join request was approved (<c>JoinType</c> Apply).</summary>
    public Task SimulateUserJoinGroupAsync(string groupId, string member, string platform = "Android")
        => _world.UsersJoinGroup(groupId, [member], "Apply", User(member, platform)) ?? Task.CompletedTask;

    /// <summary>A member invites others (<c>JoinType</c> Invited).</summary>
    public Task SimulateUserInviteToGroupAsync(string groupId, string inviter, IReadOnlyList<string> members, string platform = "Android")
        => _world.UsersJoinGroup(groupId, members, "Invited", User(inviter, platform)) ?? Task.CompletedTask;

    /// <summary>A member leaves (<c>ExitType</c> Quit).</summary>
    public Task SimulateUserQuitGroupAsync(string groupId, string member, string platform = "Android")
        => _world.UsersLeaveGroup(groupId, [member], "Quit", User(member, platform)) ?? Task.CompletedTask;

    /// <summary>The owner or an admin removes members (<c>ExitType</c> Kicked).</summary>
    public Task SimulateUserKickFromGroupAsync(string groupId, string operatorAccount, IReadOnlyList<string> members, string platform = "Android")
        => _world.UsersLeaveGroup(groupId, members, "Kicked", User(operatorAccount, platform)) ?? Task.CompletedTask;

    /// <summary>
    /// The sender recalls a 1:1 message in the app: marked recalled and <c>C2C.CallbackAfterMsgWithDraw</c> raised (no operator
    /// field; <c>UnreadMsgNum</c> is the recipient's total).
    /// </summary>
    /// <exception cref="InvalidOperationException">No such message from <paramref name="from"/> to <paramref name="to"/>, or it was recalled already.</exception>
    public Task SimulateUserRecallC2CAsync(string from, string to, string msgKey, string platform = "Android")
        => _world.UserRecallsC2C(from, to, msgKey, User(from, platform));

    /// <summary>
    /// A member recalls group messages: one <c>Group.CallbackAfterRecallMsg</c> with the user as <c>Operator_Account</c> carrying the
    /// seqs not recalled before; none when all were.
    /// </summary>
    /// <exception cref="InvalidOperationException">The group or one of the messages does not exist.</exception>
    public Task SimulateUserRecallGroupMessageAsync(string groupId, string operatorAccount, params long[] seqs)
        => SimulateUserRecallGroupMessageAsync(groupId, operatorAccount, seqs, "Android");

    public Task SimulateUserRecallGroupMessageAsync(string groupId, string operatorAccount, IReadOnlyList<long> seqs, string platform)
        => _world.UserRecallsGroupMessages(groupId, seqs, User(operatorAccount, platform)) ?? Task.CompletedTask;

    /// <summary>
    /// A user edits a 1:1 message: the stored body (and custom data, unless null) replaced, and <c>C2C.CallbackAfterModifyMsg</c>
    /// raised with the user as <c>Operator_Account</c> (unless <see cref="FakeImOptions.RaiseModifyCallbacks"/> is off). Returns the edited message.
    /// </summary>
    /// <exception cref="InvalidOperationException">No message or more than one has this key, or it was recalled.</exception>
    public async Task<FakeC2CMessage> SimulateUserEditC2CAsync(string msgKey, string operatorAccount, JsonArray newBody, string? cloudCustomData = null, string platform = "Android")
    {
        var (message, delivery) = _world.UserEditsC2C(msgKey, newBody, cloudCustomData, User(operatorAccount, platform));
        if (delivery is not null)
        {
            await delivery;
        }
        return message;
    }

    /// <summary>A member edits a group message (its seq stays): <c>Group.CallbackAfterModifyMsg</c> with the user as <c>Operator_Account</c>.</summary>
    /// <exception cref="InvalidOperationException">The group or the message does not exist, or it was recalled.</exception>
    public async Task<FakeGroupMessage> SimulateUserEditGroupMessageAsync(string groupId, long seq, string operatorAccount, JsonArray newBody, string platform = "Android")
    {
        var (message, delivery) = _world.UserEditsGroupMessage(groupId, seq, newBody, User(operatorAccount, platform));
        if (delivery is not null)
        {
            await delivery;
        }
        return message;
    }

    /// <summary>
    /// A user reads a 1:1 conversation up to <paramref name="lastReadTime"/> (Unix seconds, default now): the read mark set as
    /// <c>admin_set_msg_read</c> sets it, and <c>C2C.CallbackAfterMsgReport</c> raised.
    /// </summary>
    public Task SimulateUserReadC2CAsync(string reader, string peer, long? lastReadTime = null, string platform = "Android")
        => _world.UserReadsC2C(reader, peer, lastReadTime, User(reader, platform));

    /// <summary>
    /// A user changes their own profile: <c>Profile.CallbackPortraitSet</c> with the user as <c>Operator_Account</c> listing these
    /// items, when <see cref="FakeImOptions.ProfileChangeSubscription"/> is on.
    /// </summary>
    public Task SimulateUserProfileChangeAsync(string account, params (string Tag, JsonNode Value)[] items)
        => SimulateUserProfileChangeAsync(account, items.ToDictionary(i => i.Tag, i => (JsonNode?)i.Value, StringComparer.Ordinal), "Android");

    public Task SimulateUserProfileChangeAsync(string account, IReadOnlyDictionary<string, JsonNode?> items, string platform = "Android")
        => _world.UserChangesProfile(account, [.. items.Select(i => (i.Key, i.Value))], User(account, platform)) ?? Task.CompletedTask;

    /// <summary>
    /// A user adds a friend (and, when <paramref name="both"/>, is added back; the fake's users accept anyone):
    /// <c>Sns.CallbackFriendAdd</c> with a pair per edge added, <c>ClientCmd</c> <c>friend_add</c>, an empty <c>Admin_Account</c>,
    /// <c>ForceFlag</c> 0. None when they were friends already.
    /// </summary>
    public Task SimulateUserAddFriendAsync(string from, string to, bool both = true, string platform = "Android")
        => _world.UserAddsFriend(from, to, both, User(from, platform)) ?? Task.CompletedTask;

    /// <summary>A user deletes a friend (both directions when <paramref name="both"/>): <c>Sns.CallbackFriendDelete</c> with a pair per edge removed; none when there was none.</summary>
    public Task SimulateUserDeleteFriendAsync(string from, string to, bool both = true, string platform = "Android")
        => _world.UserDeletesFriend(from, to, both, User(from, platform)) ?? Task.CompletedTask;

    /// <summary>
    /// IM stores a group tip (as a member join, a profile change or a console-configured notice would): it takes the group's next
    /// <c>MsgSeq</c> and raises no callback, so the gateway sees a hole. Unlike <c>send_group_system_notification</c>, which is online
    /// only and takes no seq.
    /// </summary>
    /// <exception cref="InvalidOperationException">The group does not exist.</exception>
    public FakeGroupTip SimulateGroupTip(string groupId, string kind = "Notice", string operatorAccount = "@TIM#SYSTEM")
        => _world.AddGroupTip(groupId, kind, operatorAccount);

    /// <summary>A one-element <c>MsgBody</c> with a <c>TIMTextElem</c>.</summary>
    public static JsonArray TextBody(string text)
        => [new JsonObject { ["MsgType"] = "TIMTextElem", ["MsgContent"] = new JsonObject { ["Text"] = text } }];

    private Actor User(string account, string platform) => new(account, platform, Options.UserClientIp);


    private async Task HandleAsync(HttpContext http, string api)
    {
        var time = Options.TimeProvider;
        var arrivedAt = time.GetUtcNow();
        var arrivalTimestamp = time.GetTimestamp();
        var query = http.Request.Query;
        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        }
        catch (JsonException)
        {
            body = null;
        }

        var answer = CheckQuery(query, arrivedAt.ToUnixTimeSeconds());
        if (answer is null && TakeFault(api) is { } fault)
        {
            if (fault.HttpStatus != 200)
            {
                Record(new RecordedImCall(api, body, arrivedAt, arrivalTimestamp, -fault.HttpStatus, query["random"]));
                http.Response.StatusCode = fault.HttpStatus;
                return;
            }
            answer = new ImAnswer(fault.ErrorCode, fault.ErrorInfo);
        }
        answer ??= AdmitRate(api);
        answer ??= body is JsonObject ? null : new ImAnswer(60003, "request body is not a JSON object");
        IReadOnlyList<Task<RecordedCallback>> deliveries = [];
        answer ??= FakeImApis.All.Contains(api)
            ? _world.Handle(api, (JsonObject)body!, out deliveries)
            : new ImAnswer(60009, "unknown REST API");
        if (answer.ErrorCode == 0 && TakeLostAnswer(api))
        {
            answer = new ImAnswer(60008, "request timed out");
        }
        Record(new RecordedImCall(api, body, arrivedAt, arrivalTimestamp, answer.ErrorCode, query["random"]));

        if (Options.CallbackTiming == CallbackTiming.BeforeResponse && deliveries.Count > 0)
        {
            await Task.WhenAll(deliveries);
        }
        var envelope = new JsonObject
        {
            ["ActionStatus"] = answer.ErrorCode == 0 ? "OK" : "FAIL",
            ["ErrorInfo"] = answer.ErrorInfo,
            ["ErrorCode"] = answer.ErrorCode,
        };
        foreach (var (name, value) in answer.Fields ?? [])
        {
            envelope[name] = value?.DeepClone();
        }
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(envelope, Relaxed), http.RequestAborted);
    }

    private void Record(RecordedImCall call)
    {
        if (Options.RecordCalls)
        {
            _calls.Add(call);
        }
        CallObserved?.Invoke(call);
    }

    /// <summary>The signed query string every REST call carries, checked the way IM answers it.</summary>
    private ImAnswer? CheckQuery(IQueryCollection query, long unixNow)
    {
        if (query["contenttype"] != "json")
        {
            return new ImAnswer(60002, "contenttype must be json");
        }
        if (!long.TryParse(query["sdkappid"], NumberStyles.None, CultureInfo.InvariantCulture, out var sdkAppId))
        {
            return new ImAnswer(60012, "sdkappid is missing");
        }
        if (sdkAppId != Options.SdkAppId)
        {
            return new ImAnswer(70020, "SDKAppID not found");
        }
        if (!uint.TryParse(query["random"], NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return new ImAnswer(60002, "random must be an unsigned 32-bit integer");
        }
        if (query["identifier"].ToString() is not { Length: > 0 } identifier)
        {
            return new ImAnswer(60004, "identifier is missing");
        }
        var sigCode = FakeUserSigVerifier.Verify(query["usersig"], sdkAppId, identifier, Options.SecretKey, unixNow);
        if (sigCode != 0)
        {
            return new ImAnswer(sigCode, "usersig check failed");
        }
        return identifier == Options.AdminIdentifier ? null : new ImAnswer(60010, "identifier is not an App admin");
    }

    private (int ErrorCode, string ErrorInfo, int HttpStatus)? TakeFault(string api)
    {
        lock (_scriptLock)
        {
            return _faults.TryGetValue(api, out var queue) && queue.TryDequeue(out var fault) ? fault : null;
        }
    }

    private bool TakeLostAnswer(string api)
    {
        lock (_scriptLock)
        {
            var left = _lostAnswers.GetValueOrDefault(api);
            if (left == 0)
            {
                return false;
            }
            _lostAnswers[api] = left - 1;
            return true;
        }
    }

    private ImAnswer? AdmitRate(string api)
    {
        lock (_scriptLock)
        {
            if (!_rateLimits.TryGetValue(api, out var limit))
            {
                return null;
            }
            var now = Options.TimeProvider.GetTimestamp();
            while (limit.Accepted.TryPeek(out var oldest) && now - oldest >= Options.TimeProvider.TimestampFrequency)
            {
                limit.Accepted.Dequeue();
            }
            if (limit.Accepted.Count >= limit.CallsPerSecond)
            {
                limit.Violations++;
                return new ImAnswer(60007, "REST API call rate exceeded");
            }
            limit.Accepted.Enqueue(now);
            return null;
        }
    }

    private sealed class RateLimit(int callsPerSecond)
    {
        public int CallsPerSecond { get; } = callsPerSecond;
        public Queue<long> Accepted { get; } = new();
        public int Violations { get; set; }
    }
}
