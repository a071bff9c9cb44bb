using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SyncGateway.Fakes.Im;
using SyncGateway.Hosting;
using SyncGateway.Im;

namespace SyncGateway.IntegrationTests.Fakes;

public sealed class FakeImServerTests : IAsyncLifetime
{
    private const string Key = "fake-key-for-tests";
    private const string Token = "gw-Token_123";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly FakeImServer _im = new(new FakeImOptions { SdkAppId = 1400000042, AdminIdentifier = "gw_admin", SecretKey = Key });
    private readonly HttpClient _raw = new();
    private CallbackReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        await _im.StartAsync();
        _receiver = await CallbackReceiver.StartAsync();
        _im.Options.CallbackUrl = _receiver.Url;
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _im.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private ImRestClient Client(string key = Key, string admin = "gw_admin", int callsPerSecond = 0)
    {
        var options = Options.Create(new ImOptions
        {
            SdkAppId = _im.Options.SdkAppId,
            ApiBaseUrl = _im.BaseUrl,
            AdminIdentifier = admin,
            SecretKey = key,
            RestCallsPerSecond = callsPerSecond,
        });
        var telemetry = new SyncTelemetry(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        return new ImRestClient(new HttpClient(), options, new AdminUserSigProvider(options, TimeProvider.System),
            new ApiRateLimiter(options, TimeProvider.System, telemetry), new ImRetryPolicy(4, TimeSpan.Zero, TimeSpan.Zero),
            TimeProvider.System, telemetry, NullLogger<ImRestClient>.Instance);
    }

    private async Task<JsonObject> RawCallAsync(string api, string body, string? userSig = null, long? sdkAppId = null)
    {
        userSig ??= UserSig.Generate(_im.Options.SdkAppId, Key, "gw_admin", 86400, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var url = new Uri(_im.BaseUrl, $"/v4/{api}?sdkappid={sdkAppId ?? _im.Options.SdkAppId}&identifier=gw_admin&usersig={userSig}&random=7&contenttype=json");
        using var content = new StringContent(body);
        using var response = await _raw.PostAsync(url, content);
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static JsonArray Text(string text) => FakeImServer.TextBody(text);

    private Task<JsonObject> CallAsync(string api, object body) => RawCallAsync(api, JsonSerializer.Serialize(body));

    private static int Code(JsonObject answer) => (int)answer["ErrorCode"]!;

    /// <summary>Waits until every callback raised so far was posted and recorded: then a missing one was never raised.</summary>
    private async Task DrainCallbacksAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (_im.PendingCallbacks > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "callbacks still pending");
            await Task.Delay(10);
        }
    }

    private IReadOnlyList<RecordedCallback> CallbacksOf(string command) => [.. _im.Callbacks.Where(c => c.Command == command)];

    /// <summary>A 1:1 message sent through <c>sendmsg</c> without its own callback; returns its MsgKey.</summary>
    private async Task<string> SendQuietlyAsync(string from, string to, string text, long random, string? cloudCustomData = null)
    {
        var answer = await CallAsync(FakeImApis.SendMsg, new
        {
            From_Account = from,
            To_Account = to,
            MsgRandom = random,
            MsgBody = Text(text),
            CloudCustomData = cloudCustomData,
            ForbidCallbackControl = new[] { "ForbidBeforeSendMsgCallback", "ForbidAfterSendMsgCallback" },
        });
        Assert.Equal(0, Code(answer));
        return (string)answer["MsgKey"]!;
    }

    /// <summary>A group with <paramref name="messages"/> messages (seqs 1…n), made without callbacks (import APIs).</summary>
    private async Task ImportGroupWithMessagesAsync(string groupId, int messages, string type = "Public")
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.Equal(0, Code(await CallAsync(FakeImApis.ImportGroup, new { Type = type, GroupId = groupId, Name = groupId, CreateTime = now - 1000 })));
        var answer = await CallAsync(FakeImApis.ImportGroupMsg, new
        {
            GroupId = groupId,
            MsgList = Enumerable.Range(1, messages).Select(i => new { From_Account = "m", SendTime = now - 100 + i, Random = i, MsgBody = Text($"message {i}") }),
        });
        Assert.Equal(0, Code(answer));
    }

    [Fact]
    public async Task Accepts_a_call_signed_by_the_gateways_user_sig_and_records_it()
    {
        var answer = await Client().CallAsync(ImApi.CreateGroup, new { Owner_Account = "u1", Type = "Public", GroupId = "g_sig", Name = "Sig" }, default);

        Assert.Equal("g_sig", answer.GetProperty("GroupId").GetString());
        var call = Assert.Single(await _im.WaitForCallsAsync(FakeImApis.CreateGroup, 1, Patience));
        Assert.Equal(0, call.ErrorCode);
        Assert.Equal("Sig", call.Body!["Name"]!.GetValue<string>());
        Assert.True(uint.TryParse(call.Random, CultureInfo.InvariantCulture, out _));
        Assert.NotNull(_im.GetGroup("g_sig"));
    }

    [Fact]
    public async Task Rejects_a_sig_made_with_another_key()
    {
        var error = await Assert.ThrowsAsync<ImPermanentException>(() => Client(key: "another-key").CallAsync(ImApi.DestroyGroup, new { GroupId = "g" }, default));

        Assert.Equal(70009, error.ErrorCode);
    }

    [Fact]
    public async Task Rejects_an_identifier_that_is_not_the_admin()
    {
        var error = await Assert.ThrowsAsync<ImPermanentException>(() => Client(admin: "someone").CallAsync(ImApi.DestroyGroup, new { GroupId = "g" }, default));

        Assert.Equal(60010, error.ErrorCode);
    }

    [Fact]
    public async Task Rejects_an_expired_sig_a_garbled_sig_and_a_foreign_app()
    {
        var expired = UserSig.Generate(_im.Options.SdkAppId, Key, "gw_admin", 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120);

        Assert.Equal(70001, (int)(await RawCallAsync(FakeImApis.AccountCheck, "{}", userSig: expired))["ErrorCode"]!);
        Assert.Equal(70003, (int)(await RawCallAsync(FakeImApis.AccountCheck, "{}", userSig: "garbled"))["ErrorCode"]!);
        Assert.Equal(70020, (int)(await RawCallAsync(FakeImApis.AccountCheck, "{}", sdkAppId: 1))["ErrorCode"]!);
    }

    [Theory]
    [InlineData(FakeImApis.SendMsg, """{"To_Account":"u2","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]}""", 90005)]
    [InlineData(FakeImApis.SendMsg, """{"MsgRandom":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]}""", 90003)]
    [InlineData(FakeImApis.SendMsg, """{"To_Account":"u2","MsgRandom":1}""", 90002)]
    [InlineData(FakeImApis.ImportMsg, """{"SyncFromOldSystem":3,"From_Account":"a","To_Account":"b","MsgRandom":1,"MsgTimeStamp":1,"MsgBody":[]}""", 90030)]
    [InlineData(FakeImApis.SendGroupMsg, """{"GroupId":"nope","Random":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]}""", 10010)]
    [InlineData(FakeImApis.SendGroupMsg, """{"Random":1}""", 10004)]
    [InlineData(FakeImApis.CreateGroup, """{"Type":"Public"}""", 10004)]
    [InlineData(FakeImApis.MultiAccountImport, """{}""", 70402)]
    public async Task Answers_the_documented_code_for_a_missing_field(string api, string body, int code)
    {
        var answer = await RawCallAsync(api, body);

        Assert.Equal(code, (int)answer["ErrorCode"]!);
        Assert.Equal("FAIL", (string)answer["ActionStatus"]!);
    }

    [Fact]
    public async Task Refuses_batches_above_the_documented_maxima()
    {
        var client = Client();
        await client.CallAsync(ImApi.CreateGroup, new { Type = "Public", GroupId = "g_batch", Name = "Batch" }, default);

        var add = await Assert.ThrowsAsync<ImPermanentException>(() => client.CallAsync(ImApi.AddGroupMember,
            new { GroupId = "g_batch", MemberList = Enumerable.Range(0, 21).Select(i => new { Member_Account = $"u{i}" }) }, default));
        var import = await Assert.ThrowsAsync<ImPermanentException>(() => client.CallAsync(ImApi.ImportGroupMsg,
            new { GroupId = "g_batch", MsgList = Enumerable.Range(0, 8).Select(i => new { From_Account = "u1", SendTime = 1, MsgBody = Text("x") }) }, default));

        Assert.Equal(10005, add.ErrorCode);
        Assert.Equal(10004, import.ErrorCode);
    }

    [Fact]
    public async Task Refuses_imported_messages_with_two_custom_elements_and_group_imports_with_media_elements()
    {
        var client = Client();
        await client.CallAsync(ImApi.CreateGroup, new { Type = "Public", GroupId = "g_elems", Name = "Elements" }, default);
        var custom = new { MsgType = "TIMCustomElem", MsgContent = new { Data = "x" } };
        var image = new { MsgType = "TIMImageElem", MsgContent = new { UUID = "i1" } };
        var sendTime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 10;

        var c2c = await Assert.ThrowsAsync<ImPermanentException>(() => client.CallAsync(ImApi.ImportMsg,
            new { SyncFromOldSystem = 2, From_Account = "a", To_Account = "b", MsgRandom = 1, MsgTimeStamp = sendTime, MsgBody = new[] { custom, custom } }, default));
        var twoCustom = await Assert.ThrowsAsync<ImPermanentException>(() => client.CallAsync(ImApi.ImportGroupMsg,
            new { GroupId = "g_elems", MsgList = new[] { new { From_Account = "a", SendTime = sendTime, MsgBody = new[] { custom, custom } } } }, default));
        var media = await Assert.ThrowsAsync<ImPermanentException>(() => client.CallAsync(ImApi.ImportGroupMsg,
            new { GroupId = "g_elems", MsgList = new[] { new { From_Account = "a", SendTime = sendTime, MsgBody = new object[] { image } } } }, default));
        await client.CallAsync(ImApi.ImportMsg,
            new { SyncFromOldSystem = 2, From_Account = "a", To_Account = "b", MsgRandom = 2, MsgTimeStamp = sendTime, MsgBody = new object[] { image, image, custom } }, default);

        Assert.Equal(90002, c2c.ErrorCode);
        Assert.Equal(10004, twoCustom.ErrorCode);
        Assert.Equal(10004, media.ErrorCode);
        Assert.Empty(_im.GetGroup("g_elems")!.Messages);
        Assert.Single(_im.GetC2CMessages("a", "b"));
    }

    [Fact]
    public async Task Answers_get_group_info_per_group_with_only_the_filtered_fields()
    {
        var client = Client();
        await client.CallAsync(ImApi.ImportGroup, new { Type = "Private", GroupId = "g_info", Name = "Info", Owner_Account = "u1", CreateTime = 1600000000 }, default);
        var again = await Assert.ThrowsAsync<ImPermanentException>(() => client.CallAsync(ImApi.ImportGroup,
            new { Type = "Private", GroupId = "g_info", Name = "Info", Owner_Account = "u1", CreateTime = 1600000000 }, default));

        var answer = await client.CallAsync(ImApi.GetGroupInfo,
            new { GroupIdList = new[] { "g_info", "g_none" }, ResponseFilter = new { GroupBaseInfoFilter = new[] { "Type", "Owner_Account", "CreateTime" } } }, default);

        Assert.Equal(10021, again.ErrorCode);
        var infos = answer.GetProperty("GroupInfo").EnumerateArray().ToList();
        Assert.Equal(2, infos.Count);
        Assert.Equal(0, infos[0].GetProperty("ErrorCode").GetInt32());
        Assert.Equal("Private", infos[0].GetProperty("Type").GetString());
        Assert.Equal("u1", infos[0].GetProperty("Owner_Account").GetString());
        Assert.Equal(1600000000, infos[0].GetProperty("CreateTime").GetInt64());
        Assert.False(infos[0].TryGetProperty("Name", out _));
        Assert.False(infos[0].TryGetProperty("MemberList", out _));
        Assert.Equal("g_none", infos[1].GetProperty("GroupId").GetString());
        Assert.Equal(10010, infos[1].GetProperty("ErrorCode").GetInt32());
    }

    [Fact]
    public async Task Numbers_group_messages_from_one_and_drops_a_repeated_random()
    {
        var client = Client();
        await client.CallAsync(ImApi.CreateGroup, new { Type = "Public", GroupId = "g_seq", Name = "Seq" }, default);

        var first = await client.CallAsync(ImApi.SendGroupMsg, new { GroupId = "g_seq", Random = 11, MsgBody = Text("a") }, default);
        var second = await client.CallAsync(ImApi.SendGroupMsg, new { GroupId = "g_seq", Random = 12, MsgBody = Text("b") }, default);
        var repeat = await client.CallAsync(ImApi.SendGroupMsg, new { GroupId = "g_seq", Random = 11, MsgBody = Text("a") }, default);

        Assert.Equal(1, first.GetProperty("MsgSeq").GetInt64());
        Assert.Equal(2, second.GetProperty("MsgSeq").GetInt64());
        Assert.Equal(1, repeat.GetProperty("MsgSeq").GetInt64());
        Assert.Equal([1L, 2L], _im.GetGroup("g_seq")!.Messages.Select(m => m.MsgSeq));
    }

    [Fact]
    public async Task Stores_a_repeated_c2c_send_once()
    {
        var client = Client();
        var send = new { From_Account = "a", To_Account = "b", MsgSeq = 5, MsgRandom = 77, MsgBody = Text("hi") };

        var first = await client.CallAsync(ImApi.SendMsg, send, default);
        var again = await client.CallAsync(ImApi.SendMsg, send, default);

        Assert.Equal(first.GetProperty("MsgKey").GetString(), again.GetProperty("MsgKey").GetString());
        Assert.Single(_im.GetC2CMessages("b", "a"));
        Assert.Equal(1, _im.GetC2CUnread("b", "a"));
    }

    [Fact]
    public async Task Reports_members_already_present_and_rejects_imports_older_than_the_newest_message()
    {
        var client = Client();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await client.CallAsync(ImApi.ImportGroup, new { Type = "Private", GroupId = "g_imp", Name = "Imp", CreateTime = now - 1000 }, default);
        await client.CallAsync(ImApi.AddGroupMember, new { GroupId = "g_imp", MemberList = new[] { new { Member_Account = "u1" } } }, default);

        var add = await client.CallAsync(ImApi.AddGroupMember, new { GroupId = "g_imp", MemberList = new[] { new { Member_Account = "u1" }, new { Member_Account = "u2" } } }, default);
        var import = await client.CallAsync(ImApi.ImportGroupMsg, new
        {
            GroupId = "g_imp",
            MsgList = new object[]
            {
                new { From_Account = "u1", SendTime = now - 500, Random = 1, MsgBody = Text("ok") },
                new { From_Account = "u1", SendTime = now - 600, Random = 2, MsgBody = Text("older than newest") },
                new { From_Account = "u1", SendTime = now - 2000, Random = 3, MsgBody = Text("before the group") },
            },
        }, default);

        Assert.Equal([2, 1], add.GetProperty("MemberList").EnumerateArray().Select(m => m.GetProperty("Result").GetInt32()));
        Assert.Equal([0, 10004, 10004], import.GetProperty("ImportMsgResult").EnumerateArray().Select(r => r.GetProperty("Result").GetInt32()));
        Assert.Single(_im.GetGroup("g_imp")!.Messages);
    }

    [Fact]
    public async Task Scripted_rate_limit_answers_are_retried_by_the_client_with_the_same_body()
    {
        _im.FailNext(FakeImApis.SendGroupMsg, 60007, times: 2);
        var client = Client();
        await client.CallAsync(ImApi.CreateGroup, new { Type = "Public", GroupId = "g_retry", Name = "Retry" }, default);

        await client.CallAsync(ImApi.SendGroupMsg, new { GroupId = "g_retry", Random = 5, MsgBody = Text("x") }, default);

        var calls = _im.CallsTo(FakeImApis.SendGroupMsg);
        Assert.Equal([60007, 60007, 0], calls.Select(c => c.ErrorCode));
        Assert.Single(calls.Select(c => c.Body!.ToJsonString()).Distinct());
        Assert.Single(_im.GetGroup("g_retry")!.Messages);
    }

    [Fact]
    public async Task Enforced_rate_limit_refuses_calls_above_it_and_counts_them()
    {
        _im.EnforceRateLimit(FakeImApis.AccountCheck, 3);

        var codes = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            codes.Add((int)(await RawCallAsync(FakeImApis.AccountCheck, """{"CheckItem":[{"UserID":"u"}]}"""))["ErrorCode"]!);
        }

        Assert.Equal([0, 0, 0, 60007, 60007], codes);
        Assert.Equal(2, _im.RateLimitViolations(FakeImApis.AccountCheck));
    }

    [Fact]
    public async Task The_clients_limiter_keeps_a_burst_within_the_enforced_limit()
    {
        _im.EnforceRateLimit(FakeImApis.AccountCheck, 5);
        var client = Client(callsPerSecond: 5);

        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => client.CallAsync(ImApi.AccountCheck, new { CheckItem = new[] { new { UserID = "u" } } }, default)));

        Assert.Equal(0, _im.RateLimitViolations(FakeImApis.AccountCheck));
        Assert.Equal(5, _im.MaxCallsInAnyWindow(FakeImApis.AccountCheck));
        Assert.Equal(12, _im.CallsTo(FakeImApis.AccountCheck).Count);
    }

    [Fact]
    public async Task The_clients_limiter_sustains_most_of_the_limit_without_exceeding_it()
    {
        const int limit = 40;
        _im.EnforceRateLimit(FakeImApis.AccountCheck, limit);
        var client = Client(callsPerSecond: limit);
        // Opens the pooled connections first (another API, so another token pool): a cold start delays some calls by up to a second.
        await Task.WhenAll(Enumerable.Range(0, limit).Select(_ => client.CallAsync(ImApi.AccountImport, new { UserID = "warm" }, default)));

        await Task.WhenAll(Enumerable.Range(0, limit * 5).Select(_ => client.CallAsync(ImApi.AccountCheck, new { CheckItem = new[] { new { UserID = "u" } } }, default)));

        var arrivals = _im.CallsTo(FakeImApis.AccountCheck).Select(c => c.ArrivalTimestamp).Order().ToArray();
        var seconds = (double)(arrivals[^1] - arrivals[0]) / _im.Options.TimeProvider.TimestampFrequency;
        var rate = (arrivals.Length - limit) / seconds;
        Console.WriteLine($"sustained {rate:F1} calls/s against a limit of {limit}");
        Assert.Equal(0, _im.RateLimitViolations(FakeImApis.AccountCheck));
        // Quiet machine: 99 %. Generous bound: a busy shared CPU delays completions, and tokens come free one window after them.
        Assert.InRange(rate, limit * 0.75, limit);
    }

    [Fact]
    public async Task Raises_a_signed_callback_for_a_rest_write()
    {
        _im.Options.CallbackToken = Token;

        await Client().CallAsync(ImApi.CreateGroup, new { Owner_Account = "owner", Type = "Public", GroupId = "g_cb", Name = "Callback" }, default);

        var recorded = Assert.Single(await _im.WaitForCallbacksAsync("Group.CallbackAfterCreateGroup", 1, Patience));
        Assert.True(recorded.Delivered);
        var (query, body) = Assert.Single(_receiver.Received);
        Assert.Equal("1400000042", query["SdkAppid"]);
        Assert.Equal("Group.CallbackAfterCreateGroup", query["CallbackCommand"]);
        Assert.Equal("json", query["contenttype"]);
        Assert.Equal("RESTAPI", query["OptPlatform"]);
        Assert.Equal(ImCallbackSigner.Sign(Token, long.Parse(query["RequestTime"]!, CultureInfo.InvariantCulture)), query["Sign"]);
        Assert.Equal("g_cb", (string)body["GroupId"]!);
        Assert.Equal("gw_admin", (string)body["Operator_Account"]!);
        Assert.Equal(["owner"], body["MemberList"]!.AsArray().Select(m => (string)m!["Member_Account"]!));
    }

    [Fact]
    public async Task Forbid_flag_suppresses_the_after_send_callback_of_that_message_only()
    {
        var client = Client();

        await client.CallAsync(ImApi.SendMsg, new { From_Account = "a", To_Account = "b", MsgRandom = 1, MsgBody = Text("quiet"), ForbidCallbackControl = new[] { "ForbidAfterSendMsgCallback" } }, default);
        await client.CallAsync(ImApi.SendMsg, new { From_Account = "a", To_Account = "b", MsgRandom = 2, MsgBody = Text("loud") }, default);

        var callback = Assert.Single(await _im.WaitForCallbacksAsync("C2C.CallbackAfterSendMsg", 1, Patience));
        Assert.Equal(2, (long)callback.Body["MsgRandom"]!);
        Assert.Equal(2, _im.GetC2CMessages("a", "b").Count);
        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task Member_changes_raise_callbacks_only_for_members_that_changed()
    {
        var client = Client();
        await client.CallAsync(ImApi.CreateGroup, new { Owner_Account = "o", Type = "Public", GroupId = "g_mem", Name = "Mem" }, default);

        await client.CallAsync(ImApi.AddGroupMember, new { GroupId = "g_mem", MemberList = new[] { new { Member_Account = "o" }, new { Member_Account = "n" } } }, default);
        await client.CallAsync(ImApi.DeleteGroupMember, new { GroupId = "g_mem", MemberToDel_Account = new[] { "n", "stranger" } }, default);

        var join = Assert.Single(await _im.WaitForCallbacksAsync("Group.CallbackAfterNewMemberJoin", 1, Patience));
        var exit = Assert.Single(await _im.WaitForCallbacksAsync("Group.CallbackAfterMemberExit", 1, Patience));
        Assert.Equal("""[{"Member_Account":"n"}]""", join.Body["NewMemberList"]!.ToJsonString());
        Assert.Equal("Invited", (string)join.Body["JoinType"]!);
        Assert.Equal("""[{"Member_Account":"n"}]""", exit.Body["ExitMemberList"]!.ToJsonString());
        Assert.Equal("Kicked", (string)exit.Body["ExitType"]!);
    }

    [Fact]
    public async Task Group_info_callback_carries_only_the_changed_profile_fields()
    {
        var client = Client();
        await client.CallAsync(ImApi.CreateGroup, new { Type = "Public", GroupId = "g_info", Name = "Same", Introduction = "old" }, default);

        await client.CallAsync(ImApi.ModifyGroupBaseInfo, new { GroupId = "g_info", Name = "Same", Introduction = "new", MaxMemberNum = 100 }, default);
        await client.CallAsync(ImApi.ModifyGroupBaseInfo, new { GroupId = "g_info", MaxMemberNum = 50 }, default);

        var callback = Assert.Single(await _im.WaitForCallbacksAsync("Group.CallbackAfterGroupInfoChanged", 1, Patience));
        Assert.Equal("new", (string)callback.Body["Introduction"]!);
        Assert.False(callback.Body.ContainsKey("Name"));
        await _im.WaitForCallsAsync(FakeImApis.ModifyGroupBaseInfo, 2, Patience);
        Assert.Single(_im.Callbacks, c => c.Command == "Group.CallbackAfterGroupInfoChanged");
    }

    [Fact]
    public async Task Import_apis_raise_no_callbacks_and_dedupe_on_the_seq_random_time_triple()
    {
        var client = Client();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await client.CallAsync(ImApi.ImportMsg, new { SyncFromOldSystem = 2, From_Account = "a", To_Account = "b", MsgSeq = 3, MsgRandom = 1, MsgTimeStamp = now - 10, MsgBody = Text("old") }, default);
        await client.CallAsync(ImApi.ImportMsg, new { SyncFromOldSystem = 2, From_Account = "b", To_Account = "a", MsgSeq = 3, MsgRandom = 1, MsgTimeStamp = now - 10, MsgBody = Text("same triple") }, default);
        await client.CallAsync(ImApi.ImportGroup, new { Type = "Public", GroupId = "g_quiet", Name = "Quiet", CreateTime = now - 100 }, default);
        await client.CallAsync(ImApi.ImportGroupMsg, new { GroupId = "g_quiet", MsgList = new[] { new { From_Account = "a", SendTime = now - 50, MsgBody = Text("x") } } }, default);
        await Client().CallAsync(ImApi.DestroyGroup, new { GroupId = "g_quiet" }, default);

        var callback = Assert.Single(await _im.WaitForCallbacksAsync("Group.CallbackAfterGroupDestroyed", 1, Patience));
        Assert.Single(_im.Callbacks);
        Assert.Single(_im.GetC2CMessages("a", "b"));
        Assert.Equal("g_quiet", (string)callback.Body["GroupId"]!);
    }

    [Fact]
    public async Task Callbacks_can_arrive_before_the_rest_answer()
    {
        _im.Options.CallbackTiming = CallbackTiming.BeforeResponse;

        await Client().CallAsync(ImApi.CreateGroup, new { Type = "Public", GroupId = "g_early", Name = "Early" }, default);

        Assert.Single(_receiver.Received);
    }

    [Fact]
    public async Task A_simulated_user_message_raises_the_callback_a_client_would()
    {
        var message = await _im.SimulateUserC2CMessageAsync("alice", "bob", "hello from the app", platform: "iOS");

        var (query, body) = Assert.Single(_receiver.Received);
        Assert.Equal("iOS", query["OptPlatform"]);
        Assert.Equal(message.MsgKey, (string)body["MsgKey"]!);
        Assert.Equal($"{message.MsgSeq}_{message.MsgRandom}_{message.MsgTime}", message.MsgKey);
        Assert.Equal("hello from the app", (string)body["MsgBody"]![0]!["MsgContent"]!["Text"]!);
        Assert.Equal(1, (int)body["UnreadMsgNum"]!);
    }

    [Fact]
    public async Task Simulated_group_lifecycle_raises_each_callback_with_the_user_as_operator()
    {
        var groupId = await _im.SimulateUserCreateGroupAsync("owner", "Hikers", members: ["m1"]);
        await _im.SimulateUserJoinGroupAsync(groupId, "m2");
        var message = await _im.SimulateUserGroupMessageAsync(groupId, "m2", "hi all");
        await _im.SimulateUserQuitGroupAsync(groupId, "m1");
        await _im.SimulateUserDestroyGroupAsync(groupId, "owner");

        Assert.StartsWith("@TGS#", groupId, StringComparison.Ordinal);
        Assert.Equal(1, message.MsgSeq);
        Assert.Equal(
            ["Group.CallbackAfterCreateGroup", "Group.CallbackAfterNewMemberJoin", "Group.CallbackAfterSendMsg", "Group.CallbackAfterMemberExit", "Group.CallbackAfterGroupDestroyed"],
            _receiver.Received.Select(r => r.Query["CallbackCommand"].ToString()));
        Assert.Equal("Apply", (string)_receiver.Received.ElementAt(1).Body["JoinType"]!);
        Assert.Equal("m2", (string)_receiver.Received.ElementAt(2).Body["Operator_Account"]!);
        Assert.Equal("Quit", (string)_receiver.Received.ElementAt(3).Body["ExitType"]!);
        Assert.Null(_im.GetGroup(groupId));
    }

    [Fact]
    public async Task Requires_imported_accounts_when_configured()
    {
        _im.Options.RequireImportedAccounts = true;
        var client = Client();

        var error = await Assert.ThrowsAsync<ImPermanentException>(() => client.CallAsync(ImApi.SendMsg, new { To_Account = "ghost", MsgRandom = 1, MsgBody = Text("x") }, default));
        await client.CallAsync(ImApi.MultiAccountImport, new { AccountList = new[] { new { UserID = "ghost", Nick = "Casper" } } }, default);
        var sender = await Assert.ThrowsAsync<ImPermanentException>(() => client.CallAsync(ImApi.SendMsg, new { From_Account = "nobody", To_Account = "ghost", MsgRandom = 1, MsgBody = Text("x") }, default));
        await client.CallAsync(ImApi.AccountImport, new { UserID = "nobody" }, default);
        await client.CallAsync(ImApi.SendMsg, new { From_Account = "nobody", To_Account = "ghost", MsgRandom = 1, MsgBody = Text("x") }, default);
        var check = await client.CallAsync(ImApi.AccountCheck, new { CheckItem = new[] { new { UserID = "ghost" }, new { UserID = "stranger" } } }, default);

        Assert.Equal(90012, error.ErrorCode);
        Assert.Equal(20003, sender.ErrorCode);
        Assert.Equal(["Imported", "NotImported"], check.GetProperty("ResultItem").EnumerateArray().Select(r => r.GetProperty("AccountStatus").GetString()));
        Assert.Equal("Casper", _im.GetProfile("ghost")["Tag_Profile_IM_Nick"]!.GetValue<string>());
    }

    [Fact]
    public async Task Admin_recall_of_a_1to1_message_marks_it_recalled_and_echoes_without_an_operator()
    {
        var key = await SendQuietlyAsync("a", "b", "oops", random: 1);

        var recall = await CallAsync(FakeImApis.AdminMsgWithdraw, new { From_Account = "a", To_Account = "b", MsgKey = key });
        var again = await CallAsync(FakeImApis.AdminMsgWithdraw, new { From_Account = "a", To_Account = "b", MsgKey = key });
        var reversed = await CallAsync(FakeImApis.AdminMsgWithdraw, new { From_Account = "b", To_Account = "a", MsgKey = key });
        var unknown = await CallAsync(FakeImApis.AdminMsgWithdraw, new { From_Account = "a", To_Account = "b", MsgKey = "1_2_3" });
        var garbled = await CallAsync(FakeImApis.AdminMsgWithdraw, new { From_Account = "a", To_Account = "b", MsgKey = "not-a-key" });
        var noFrom = await CallAsync(FakeImApis.AdminMsgWithdraw, new { To_Account = "b", MsgKey = key });
        var noTo = await CallAsync(FakeImApis.AdminMsgWithdraw, new { From_Account = "a", MsgKey = key });

        Assert.Equal([0, 20023, 20022, 20022, 90054, 90008, 90003], new[] { recall, again, reversed, unknown, garbled, noFrom, noTo }.Select(Code));
        Assert.True(_im.FindC2CMessage(key)!.Recalled);
        Assert.Single(_im.GetC2CMessages("a", "b"));
        var callback = Assert.Single(await _im.WaitForCallbacksAsync("C2C.CallbackAfterMsgWithDraw", 1, Patience));
        Assert.Equal("RESTAPI", callback.OptPlatform);
        Assert.Equal(
            $$"""{"CallbackCommand":"C2C.CallbackAfterMsgWithDraw","From_Account":"a","To_Account":"b","MsgKey":"{{key}}","UnreadMsgNum":1}""",
            callback.Body.ToJsonString());
        await DrainCallbacksAsync();
        Assert.Single(_im.Callbacks);
        Assert.Equal("RESTAPI", Assert.Single(_receiver.Received).Query["OptPlatform"]);
    }

    [Fact]
    public async Task Admin_group_recall_answers_per_seq_and_raises_one_callback_for_the_seqs_it_recalled()
    {
        await ImportGroupWithMessagesAsync("g_recall", 3);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        var first = await CallAsync(FakeImApis.GroupMsgRecall, new { GroupId = "g_recall", MsgSeqList = new[] { new { MsgSeq = 1 }, new { MsgSeq = 2 }, new { MsgSeq = 99 } }, Reason = "deleted in legacy" });
        var second = await CallAsync(FakeImApis.GroupMsgRecall, new { GroupId = "g_recall", MsgSeqList = new[] { new { MsgSeq = 2 }, new { MsgSeq = 3 } } });
        var repeat = await CallAsync(FakeImApis.GroupMsgRecall, new { GroupId = "g_recall", MsgSeqList = new[] { new { MsgSeq = 3 } } });
        var eleven = await CallAsync(FakeImApis.GroupMsgRecall, new { GroupId = "g_recall", MsgSeqList = Enumerable.Range(1, 11).Select(i => new { MsgSeq = i }) });
        var gone = await CallAsync(FakeImApis.GroupMsgRecall, new { GroupId = "g_nowhere", MsgSeqList = new[] { new { MsgSeq = 1 } } });
        var empty = await CallAsync(FakeImApis.GroupMsgRecall, new { GroupId = "", MsgSeqList = new[] { new { MsgSeq = 1 } } });

        Assert.Equal("""[{"MsgSeq":1,"RetCode":0},{"MsgSeq":2,"RetCode":0},{"MsgSeq":99,"RetCode":10030}]""", first["RecallRetList"]!.ToJsonString());
        Assert.Equal("""[{"MsgSeq":2,"RetCode":0},{"MsgSeq":3,"RetCode":0}]""", second["RecallRetList"]!.ToJsonString());
        Assert.Equal("""[{"MsgSeq":3,"RetCode":0}]""", repeat["RecallRetList"]!.ToJsonString());
        Assert.Equal([0, 0, 0, 10004, 10010, 10015], new[] { first, second, repeat, eleven, gone, empty }.Select(Code));
        Assert.Equal([(1L, true), (2L, true), (3L, true)], _im.GetGroup("g_recall")!.Messages.Select(m => (m.MsgSeq, m.Recalled)));
        var callbacks = await _im.WaitForCallbacksAsync("Group.CallbackAfterRecallMsg", 2, Patience);
        Assert.All(callbacks, c => Assert.Equal("RESTAPI", c.OptPlatform));
        Assert.Equal("""[{"MsgSeq":1},{"MsgSeq":2}]""", callbacks[0].Body["MsgSeqList"]!.ToJsonString());
        Assert.Equal("""[{"MsgSeq":3}]""", callbacks[1].Body["MsgSeqList"]!.ToJsonString());
        Assert.Equal("gw_admin", (string)callbacks[0].Body["Operator_Account"]!);
        Assert.Equal("Public", (string)callbacks[0].Body["Type"]!);
        Assert.Equal("g_recall", (string)callbacks[0].Body["GroupId"]!);
        Assert.InRange((long)callbacks[0].Body["EventTime"]!, before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await DrainCallbacksAsync();
        Assert.Equal(2, _im.Callbacks.Count);
    }

    [Fact]
    public async Task Admin_edit_of_a_1to1_message_replaces_what_it_names_and_echoes_the_stored_message()
    {
        var key = await SendQuietlyAsync("a", "b", "See you at 7?", random: 5, cloudCustomData: "keep");
        var sent = _im.FindC2CMessage(key)!;

        var body = await CallAsync(FakeImApis.ModifyC2CMsg, new { From_Account = "a", To_Account = "b", MsgKey = key, MsgBody = Text("See you at 8?") });
        var data = await CallAsync(FakeImApis.ModifyC2CMsg, new { From_Account = "a", To_Account = "b", MsgKey = key, CloudCustomData = "changed" });
        var neither = await CallAsync(FakeImApis.ModifyC2CMsg, new { From_Account = "a", To_Account = "b", MsgKey = key });
        var malformed = await CallAsync(FakeImApis.ModifyC2CMsg, new { From_Account = "a", To_Account = "b", MsgKey = key, MsgBody = new[] { new { Text = "no type" } } });
        var unknown = await CallAsync(FakeImApis.ModifyC2CMsg, new { From_Account = "a", To_Account = "b", MsgKey = "1_2_3", MsgBody = Text("x") });

        Assert.Equal([0, 0, 90001, 90002, 20026], new[] { body, data, neither, malformed, unknown }.Select(Code));
        var edited = _im.FindC2CMessage(key)!;
        Assert.Equal("See you at 8?", (string)edited.MsgBody[0]!["MsgContent"]!["Text"]!);
        Assert.Equal("changed", edited.CloudCustomData);
        Assert.Equal((sent.MsgSeq, sent.MsgRandom, sent.MsgTime), (edited.MsgSeq, edited.MsgRandom, edited.MsgTime));
        var callbacks = await _im.WaitForCallbacksAsync("C2C.CallbackAfterModifyMsg", 2, Patience);
        Assert.All(callbacks, c => Assert.Equal("RESTAPI", c.OptPlatform));
        var first = callbacks[0].Body;
        Assert.Equal("gw_admin", (string)first["Operator_Account"]!);
        Assert.Equal(("a", "b", key), ((string)first["From_Account"]!, (string)first["To_Account"]!, (string)first["MsgKey"]!));
        Assert.Equal((sent.MsgSeq, sent.MsgRandom, sent.MsgTime), ((long)first["MsgSeq"]!, (long)first["MsgRandom"]!, (long)first["MsgTime"]!));
        Assert.Equal(Text("See you at 8?").ToJsonString(), first["MsgBody"]!.ToJsonString());
        Assert.Equal("keep", (string)first["CloudCustomData"]!);
        Assert.True((long)first["EventTime"]! > 1_000_000_000_000);
        // Only the custom data changed: the callback still carries the stored (edited) body.
        Assert.Equal(Text("See you at 8?").ToJsonString(), callbacks[1].Body["MsgBody"]!.ToJsonString());
        Assert.Equal("changed", (string)callbacks[1].Body["CloudCustomData"]!);

        Assert.Equal(0, Code(await CallAsync(FakeImApis.AdminMsgWithdraw, new { From_Account = "a", To_Account = "b", MsgKey = key })));
        Assert.Equal(20026, Code(await CallAsync(FakeImApis.ModifyC2CMsg, new { From_Account = "a", To_Account = "b", MsgKey = key, MsgBody = Text("too late") })));
    }

    [Fact]
    public async Task Edits_raise_no_callback_when_the_modify_callbacks_are_off()
    {
        _im.Options.RaiseModifyCallbacks = false;
        var key = await SendQuietlyAsync("a", "b", "draft", random: 6);
        await ImportGroupWithMessagesAsync("g_quiet_edit", 1);

        Assert.Equal(0, Code(await CallAsync(FakeImApis.ModifyC2CMsg, new { From_Account = "a", To_Account = "b", MsgKey = key, MsgBody = Text("final") })));
        Assert.Equal(0, Code(await CallAsync(FakeImApis.ModifyGroupMsg, new { GroupId = "g_quiet_edit", MsgSeq = 1, MsgBody = Text("final") })));
        await _im.SimulateUserEditC2CAsync(key, "a", Text("by the user"));

        await DrainCallbacksAsync();
        Assert.Empty(_im.Callbacks);
        Assert.Equal("by the user", (string)_im.FindC2CMessage(key)!.MsgBody[0]!["MsgContent"]!["Text"]!);
        Assert.Equal("final", (string)_im.GetGroupMessage("g_quiet_edit", 1)!.MsgBody[0]!["MsgContent"]!["Text"]!);
    }

    [Fact]
    public async Task Admin_edit_of_a_group_message_keeps_its_seq_and_echoes_the_documented_fields()
    {
        await ImportGroupWithMessagesAsync("g_edit", 2);

        var edit = await CallAsync(FakeImApis.ModifyGroupMsg, new { GroupId = "g_edit", MsgSeq = 2, MsgBody = Text("Deploy done (edited)"), CloudCustomData = "c" });
        var gone = await CallAsync(FakeImApis.ModifyGroupMsg, new { GroupId = "g_nowhere", MsgSeq = 1, MsgBody = Text("x") });
        var neither = await CallAsync(FakeImApis.ModifyGroupMsg, new { GroupId = "g_edit", MsgSeq = 1 });
        var missing = await CallAsync(FakeImApis.ModifyGroupMsg, new { GroupId = "g_edit", MsgSeq = 9, MsgBody = Text("x") });

        Assert.Equal([0, 10010, 90001, 10030], new[] { edit, gone, neither, missing }.Select(Code));
        var message = _im.GetGroupMessage("g_edit", 2)!;
        Assert.Equal(("Deploy done (edited)", "c"), ((string)message.MsgBody[0]!["MsgContent"]!["Text"]!, message.CloudCustomData));
        Assert.Equal([1L, 2L], _im.GetGroup("g_edit")!.Messages.Select(m => m.MsgSeq));
        var callback = Assert.Single(await _im.WaitForCallbacksAsync("Group.CallbackAfterModifyMsg", 1, Patience));
        Assert.Equal("RESTAPI", callback.OptPlatform);
        Assert.Equal(["CallbackCommand", "Operator_Account", "GroupId", "TopicId", "MsgSeq", "MsgBody", "EventTime"], callback.Body.Select(p => p.Key));
        Assert.Equal(("gw_admin", "g_edit", "", 2L), ((string)callback.Body["Operator_Account"]!, (string)callback.Body["GroupId"]!, (string)callback.Body["TopicId"]!, (long)callback.Body["MsgSeq"]!));
        Assert.Equal(Text("Deploy done (edited)").ToJsonString(), callback.Body["MsgBody"]!.ToJsonString());
    }

    [Fact]
    public async Task Admin_read_mark_echoes_the_mark_and_the_readers_total_unread()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var (from, seq, time) in new[] { ("a", 1, now - 100), ("a", 2, now - 50), ("c", 3, now - 10) })
        {
            var import = await CallAsync(FakeImApis.ImportMsg, new { SyncFromOldSystem = 5, From_Account = from, To_Account = "b", MsgSeq = seq, MsgRandom = seq, MsgTimeStamp = time, MsgBody = Text("unread") });
            Assert.Equal(0, Code(import));
        }

        Assert.Equal(0, Code(await CallAsync(FakeImApis.AdminSetMsgRead, new { Report_Account = "b", Peer_Account = "a", MsgReadTime = now - 60 })));

        Assert.Equal(now - 60, _im.GetReadMark("b", "a"));
        var callback = Assert.Single(await _im.WaitForCallbacksAsync("C2C.CallbackAfterMsgReport", 1, Patience));
        Assert.Equal("RESTAPI", callback.OptPlatform);
        Assert.Equal(
            $$"""{"CallbackCommand":"C2C.CallbackAfterMsgReport","Report_Account":"b","Peer_Account":"a","LastReadTime":{{now - 60}},"UnreadMsgNum":2}""",
            callback.Body.ToJsonString());
    }

    [Fact]
    public async Task Admin_profile_write_echoes_the_items_it_set_only_with_the_subscription_on()
    {
        Assert.Equal(0, Code(await CallAsync(FakeImApis.PortraitSet, new { From_Account = "u1", ProfileItem = new object[] { new { Tag = "Tag_Profile_IM_Nick", Value = "Ana" } } })));
        _im.Options.ProfileChangeSubscription = false;
        Assert.Equal(0, Code(await CallAsync(FakeImApis.PortraitSet, new { From_Account = "u1", ProfileItem = new object[] { new { Tag = "Tag_Profile_IM_Image", Value = "https://cdn.example.com/u1.png" } } })));
        _im.Options.ProfileChangeSubscription = true;
        Assert.Equal(0, Code(await CallAsync(FakeImApis.PortraitSet, new
        {
            From_Account = "u1",
            ProfileItem = new object[] { new { Tag = "Tag_Profile_IM_Nick", Value = "Ana B." }, new { Tag = "Tag_Profile_Custom_Level", Value = 3 } },
        })));

        var callbacks = await _im.WaitForCallbacksAsync("Profile.CallbackPortraitSet", 2, Patience);
        Assert.All(callbacks, c => Assert.Equal("RESTAPI", c.OptPlatform));
        Assert.All(callbacks, c => Assert.Equal(("gw_admin", "u1"), ((string)c.Body["Operator_Account"]!, (string)c.Body["From_Account"]!)));
        Assert.Equal("""[{"Tag":"Tag_Profile_IM_Nick","Value":"Ana"}]""", callbacks[0].Body["ProfileItem"]!.ToJsonString());
        Assert.Equal("""[{"Tag":"Tag_Profile_IM_Nick","Value":"Ana B."},{"Tag":"Tag_Profile_Custom_Level","Value":3}]""", callbacks[1].Body["ProfileItem"]!.ToJsonString());
        Assert.True((long)callbacks[1].Body["EventTime"]! > 1_000_000_000_000);
        await DrainCallbacksAsync();
        Assert.Equal(2, _im.Callbacks.Count);
        Assert.Equal("https://cdn.example.com/u1.png", _im.GetProfile("u1")["Tag_Profile_IM_Image"]!.GetValue<string>());
    }

    [Fact]
    public async Task Admin_friend_add_adds_the_edges_asked_for_and_echoes_only_those_it_added()
    {
        var both = await CallAsync(FakeImApis.FriendAdd, new
        {
            From_Account = "a",
            AddFriendItem = new[] { new { To_Account = "b", AddSource = "AddSource_Type_Legacy" }, new { To_Account = "c", AddSource = "Legacy" } },
            ForceAddFlags = 1,
        });
        var repeat = await CallAsync(FakeImApis.FriendAdd, new { From_Account = "a", AddFriendItem = new[] { new { To_Account = "b", AddSource = "AddSource_Type_Legacy" } } });
        var single = await CallAsync(FakeImApis.FriendAdd, new { From_Account = "a", AddFriendItem = new[] { new { To_Account = "d", AddSource = "AddSource_Type_Legacy" } }, AddType = "Add_Type_Single" });
        var badType = await CallAsync(FakeImApis.FriendAdd, new { From_Account = "a", AddFriendItem = new[] { new { To_Account = "e", AddSource = "AddSource_Type_Legacy" } }, AddType = "Add_Type_Maybe" });

        Assert.Equal([0, 0, 0, 30001], new[] { both, repeat, single, badType }.Select(Code));
        Assert.Equal("""[{"To_Account":"b","ResultCode":0,"ResultInfo":""},{"To_Account":"c","ResultCode":30001,"ResultInfo":"invalid friend item"}]""", both["ResultItem"]!.ToJsonString());
        Assert.Equal("""["c"]""", both["Fail_Account"]!.ToJsonString());
        Assert.Equal(0, (int)repeat["ResultItem"]![0]!["ResultCode"]!);
        Assert.Equal(["b", "d"], _im.GetFriends("a"));
        Assert.Equal(["a"], _im.GetFriends("b"));
        Assert.Empty(_im.GetFriends("d"));
        var callbacks = await _im.WaitForCallbacksAsync("Sns.CallbackFriendAdd", 2, Patience);
        Assert.All(callbacks, c => Assert.Equal("RESTAPI", c.OptPlatform));
        Assert.Equal(
            """{"CallbackCommand":"Sns.CallbackFriendAdd","PairList":[{"From_Account":"a","To_Account":"b","Initiator_Account":"a"},{"From_Account":"b","To_Account":"a","Initiator_Account":"a"}],"ClientCmd":"friend_add","Admin_Account":"gw_admin","ForceFlag":1}""",
            callbacks[0].Body.ToJsonString());
        Assert.Equal(
            """{"CallbackCommand":"Sns.CallbackFriendAdd","PairList":[{"From_Account":"a","To_Account":"d","Initiator_Account":"a"}],"ClientCmd":"friend_add","Admin_Account":"gw_admin","ForceFlag":0}""",
            callbacks[1].Body.ToJsonString());
        await DrainCallbacksAsync();
        Assert.Equal(2, _im.Callbacks.Count);
    }

    [Fact]
    public async Task Admin_friend_delete_removes_both_directions_unless_asked_for_one_and_echoes_each_edge_without_a_marker()
    {
        foreach (var (from, to) in new[] { ("a", "b"), ("b", "a"), ("a", "c"), ("c", "a") })
        {
            Assert.Equal(0, Code(await CallAsync(FakeImApis.FriendImport, new { From_Account = from, AddFriendItem = new[] { new { To_Account = to, AddSource = "AddSource_Type_Legacy" } } })));
        }

        var defaulted = await CallAsync(FakeImApis.FriendDelete, new { From_Account = "a", To_Account = new[] { "b", "x" } });
        var single = await CallAsync(FakeImApis.FriendDelete, new { From_Account = "a", To_Account = new[] { "c" }, DeleteType = "Delete_Type_Single" });
        var tooMany = await CallAsync(FakeImApis.FriendDelete, new { From_Account = "a", To_Account = Enumerable.Range(0, 1001).Select(i => $"u{i}") });

        Assert.Equal([0, 0, 30001], new[] { defaulted, single, tooMany }.Select(Code));
        Assert.Equal("""[{"To_Account":"b","ResultCode":0,"ResultInfo":""},{"To_Account":"x","ResultCode":31704,"ResultInfo":"not friends"}]""", defaulted["ResultItem"]!.ToJsonString());
        Assert.Empty(_im.GetFriends("a"));
        Assert.Empty(_im.GetFriends("b"));
        Assert.Equal(["a"], _im.GetFriends("c"));
        var callbacks = await _im.WaitForCallbacksAsync("Sns.CallbackFriendDelete", 2, Patience);
        Assert.All(callbacks, c => Assert.Equal("RESTAPI", c.OptPlatform));
        Assert.Equal(
            """{"CallbackCommand":"Sns.CallbackFriendDelete","PairList":[{"From_Account":"a","To_Account":"b"},{"From_Account":"b","To_Account":"a"}]}""",
            callbacks[0].Body.ToJsonString());
        Assert.Equal("""[{"From_Account":"a","To_Account":"c"}]""", callbacks[1].Body["PairList"]!.ToJsonString());
        await DrainCallbacksAsync();
        Assert.Equal(2, _im.Callbacks.Count);
    }

    [Fact]
    public async Task Live_apis_answer_the_documented_codes_for_accounts_never_imported()
    {
        _im.Options.RequireImportedAccounts = true;
        _im.SeedAccounts("a", "b");
        var key = await SendQuietlyAsync("a", "b", "hi", random: 9);

        var recallFrom = await CallAsync(FakeImApis.AdminMsgWithdraw, new { From_Account = "ghost", To_Account = "b", MsgKey = key });
        var recallTo = await CallAsync(FakeImApis.AdminMsgWithdraw, new { From_Account = "a", To_Account = "ghost", MsgKey = key });
        var modify = await CallAsync(FakeImApis.ModifyC2CMsg, new { From_Account = "a", To_Account = "ghost", MsgKey = key, MsgBody = Text("x") });
        var addFrom = await CallAsync(FakeImApis.FriendAdd, new { From_Account = "ghost", AddFriendItem = new[] { new { To_Account = "a", AddSource = "AddSource_Type_Legacy" } } });
        var addTo = await CallAsync(FakeImApis.FriendAdd, new { From_Account = "a", AddFriendItem = new[] { new { To_Account = "ghost", AddSource = "AddSource_Type_Legacy" } } });
        var deleteFrom = await CallAsync(FakeImApis.FriendDelete, new { From_Account = "ghost", To_Account = new[] { "a" } });

        Assert.Equal([90008, 90003, 20003, 30003, 0, 30003], new[] { recallFrom, recallTo, modify, addFrom, addTo, deleteFrom }.Select(Code));
        Assert.Equal(30003, (int)addTo["ResultItem"]![0]!["ResultCode"]!);
        Assert.Equal("""["ghost"]""", addTo["Fail_Account"]!.ToJsonString());
        await DrainCallbacksAsync();
        Assert.Empty(_im.Callbacks);
    }

    [Fact]
    public async Task Simulated_1to1_recall_edit_and_read_raise_the_callbacks_a_client_would()
    {
        var message = await _im.SimulateUserC2CMessageAsync("alice", "bob", "See you at 7?");

        var edited = await _im.SimulateUserEditC2CAsync(message.MsgKey, "alice", Text("See you at 8?"), platform: "iOS");
        await _im.SimulateUserReadC2CAsync("bob", "alice", lastReadTime: message.MsgTime, platform: "Web");
        await _im.SimulateUserRecallC2CAsync("alice", "bob", message.MsgKey, platform: "iOS");

        Assert.Equal("See you at 8?", (string)edited.MsgBody[0]!["MsgContent"]!["Text"]!);
        var stored = _im.FindC2CMessage(message.MsgKey)!;
        Assert.True(stored.Recalled);
        Assert.Equal(edited.MsgBody.ToJsonString(), stored.MsgBody.ToJsonString());
        Assert.Equal(message.MsgTime, _im.GetReadMark("bob", "alice"));
        Assert.Equal(0, _im.GetC2CUnread("bob", "alice"));
        Assert.Equal(
            [("C2C.CallbackAfterSendMsg", "Android"), ("C2C.CallbackAfterModifyMsg", "iOS"), ("C2C.CallbackAfterMsgReport", "Web"), ("C2C.CallbackAfterMsgWithDraw", "iOS")],
            _receiver.Received.Select(r => (r.Query["CallbackCommand"].ToString(), r.Query["OptPlatform"].ToString())));
        var modify = _receiver.Received.ElementAt(1).Body;
        Assert.Equal(("alice", message.MsgKey, "See you at 8?"), ((string)modify["Operator_Account"]!, (string)modify["MsgKey"]!, (string)modify["MsgBody"]![0]!["MsgContent"]!["Text"]!));
        var read = _receiver.Received.ElementAt(2).Body;
        Assert.Equal(("bob", "alice", message.MsgTime, 0), ((string)read["Report_Account"]!, (string)read["Peer_Account"]!, (long)read["LastReadTime"]!, (int)read["UnreadMsgNum"]!));
        Assert.Equal(message.MsgKey, (string)_receiver.Received.ElementAt(3).Body["MsgKey"]!);
        Assert.Equal("203.0.113.10", _receiver.Received.ElementAt(3).Query["ClientIP"]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _im.SimulateUserRecallC2CAsync("alice", "bob", message.MsgKey));
    }

    [Fact]
    public async Task Simulated_group_recall_and_edit_have_the_member_as_operator()
    {
        var groupId = await _im.SimulateUserCreateGroupAsync("owner", "Ops", members: ["m1"]);
        await _im.SimulateUserGroupMessageAsync(groupId, "m1", "one");
        await _im.SimulateUserGroupMessageAsync(groupId, "m1", "two");

        var edited = await _im.SimulateUserEditGroupMessageAsync(groupId, 2, "m1", Text("two (edited)"));
        await _im.SimulateUserRecallGroupMessageAsync(groupId, "owner", 1, 2);
        await _im.SimulateUserRecallGroupMessageAsync(groupId, "owner", [2], "Windows");

        Assert.Equal(2, edited.MsgSeq);
        Assert.True(_im.GetGroupMessage(groupId, 1)!.Recalled);
        Assert.Equal("two (edited)", (string)_im.GetGroupMessage(groupId, 2)!.MsgBody[0]!["MsgContent"]!["Text"]!);
        var modify = Assert.Single(CallbacksOf("Group.CallbackAfterModifyMsg"));
        Assert.Equal(("Android", "m1", 2L), (modify.OptPlatform, (string)modify.Body["Operator_Account"]!, (long)modify.Body["MsgSeq"]!));
        var recall = Assert.Single(CallbacksOf("Group.CallbackAfterRecallMsg"));
        Assert.Equal(("Android", "owner"), (recall.OptPlatform, (string)recall.Body["Operator_Account"]!));
        Assert.Equal("""[{"MsgSeq":1},{"MsgSeq":2}]""", recall.Body["MsgSeqList"]!.ToJsonString());
        await Assert.ThrowsAsync<InvalidOperationException>(() => _im.SimulateUserRecallGroupMessageAsync(groupId, "owner", 3));
    }

    [Fact]
    public async Task Simulated_profile_and_friend_changes_carry_the_user_and_no_admin_marker()
    {
        await _im.SimulateUserProfileChangeAsync("alice", ("Tag_Profile_IM_Nick", "Ali"), ("Tag_Profile_Custom_Level", 7));
        await _im.SimulateUserAddFriendAsync("alice", "bob");
        await _im.SimulateUserAddFriendAsync("alice", "bob");
        await _im.SimulateUserAddFriendAsync("alice", "carol", both: false, platform: "Mac");
        await _im.SimulateUserDeleteFriendAsync("bob", "alice");

        Assert.Equal("Ali", _im.GetProfile("alice")["Tag_Profile_IM_Nick"]!.GetValue<string>());
        Assert.Equal(["carol"], _im.GetFriends("alice"));
        Assert.Empty(_im.GetFriends("bob"));
        var profile = Assert.Single(CallbacksOf("Profile.CallbackPortraitSet"));
        Assert.Equal(("Android", "alice", "alice"), (profile.OptPlatform, (string)profile.Body["Operator_Account"]!, (string)profile.Body["From_Account"]!));
        Assert.Equal("""[{"Tag":"Tag_Profile_IM_Nick","Value":"Ali"},{"Tag":"Tag_Profile_Custom_Level","Value":7}]""", profile.Body["ProfileItem"]!.ToJsonString());
        var adds = CallbacksOf("Sns.CallbackFriendAdd");
        Assert.Equal(2, adds.Count);
        Assert.Equal(
            """{"CallbackCommand":"Sns.CallbackFriendAdd","PairList":[{"From_Account":"alice","To_Account":"bob","Initiator_Account":"alice"},{"From_Account":"bob","To_Account":"alice","Initiator_Account":"alice"}],"ClientCmd":"friend_add","Admin_Account":"","ForceFlag":0}""",
            adds[0].Body.ToJsonString());
        Assert.Equal(("Mac", """[{"From_Account":"alice","To_Account":"carol","Initiator_Account":"alice"}]"""), (adds[1].OptPlatform, adds[1].Body["PairList"]!.ToJsonString()));
        var delete = Assert.Single(CallbacksOf("Sns.CallbackFriendDelete"));
        Assert.Equal("""[{"From_Account":"bob","To_Account":"alice"},{"From_Account":"alice","To_Account":"bob"}]""", delete.Body["PairList"]!.ToJsonString());

        _im.Options.ProfileChangeSubscription = false;
        await _im.SimulateUserProfileChangeAsync("alice", ("Tag_Profile_IM_Nick", "Quiet"));
        Assert.Single(CallbacksOf("Profile.CallbackPortraitSet"));
        Assert.Equal("Quiet", _im.GetProfile("alice")["Tag_Profile_IM_Nick"]!.GetValue<string>());
    }

    [Fact]
    public async Task Admin_member_role_name_card_and_owner_changes_echo_only_what_changed()
    {
        Assert.Equal(0, Code(await CallAsync(FakeImApis.CreateGroup, new { Owner_Account = "o", Type = "Public", GroupId = "g_roles", Name = "Roles", MemberList = new[] { new { Member_Account = "m1" }, new { Member_Account = "m2" } } })));

        var promote = await CallAsync(FakeImApis.ModifyGroupMemberInfo, new { GroupId = "g_roles", Member_Account = "m1", Role = "Admin", NameCard = "Ann" });
        var mute = await CallAsync(FakeImApis.ModifyGroupMemberInfo, new { GroupId = "g_roles", Member_Account = "m1", Role = "Admin", MuteTime = 60 });
        var owner = await CallAsync(FakeImApis.ModifyGroupMemberInfo, new { GroupId = "g_roles", Member_Account = "o", Role = "Member" });
        var stranger = await CallAsync(FakeImApis.ModifyGroupMemberInfo, new { GroupId = "g_roles", Member_Account = "x", NameCard = "X" });
        _im.Options.MemberFieldChangedAccountField = "Member_Account";
        var rename = await CallAsync(FakeImApis.ModifyGroupMemberInfo, new { GroupId = "g_roles", Member_Account = "m1", NameCard = "Anna" });
        var transfer = await CallAsync(FakeImApis.ChangeGroupOwner, new { GroupId = "g_roles", NewOwner_Account = "m2" });
        var again = await CallAsync(FakeImApis.ChangeGroupOwner, new { GroupId = "g_roles", NewOwner_Account = "m2" });
        var outsider = await CallAsync(FakeImApis.ChangeGroupOwner, new { GroupId = "g_roles", NewOwner_Account = "x" });

        Assert.Equal([0, 0, 10004, 10004, 0, 0, 0, 10004], new[] { promote, mute, owner, stranger, rename, transfer, again, outsider }.Select(Code));
        var group = _im.GetGroup("g_roles")!;
        Assert.Equal("m2", group.Owner);
        Assert.Equal([("o", "Member", null), ("m1", "Admin", "Anna"), ("m2", "Owner", null)], group.Members.Select(m => (m.Account, m.Role, m.NameCard)));
        var fields = await _im.WaitForCallbacksAsync("Group.CallbackAfterMemberFieldChanged", 2, Patience);
        Assert.All(fields, c => Assert.Equal("RESTAPI", c.OptPlatform));
        Assert.Equal(["CallbackCommand", "GroupId", "Type", "Operator_Account", "Modified_Account", "Role", "NameCard", "EventTime"], fields[0].Body.Select(p => p.Key));
        Assert.Equal(("gw_admin", "m1", "Admin", "Ann"), ((string)fields[0].Body["Operator_Account"]!, (string)fields[0].Body["Modified_Account"]!, (string)fields[0].Body["Role"]!, (string)fields[0].Body["NameCard"]!));
        Assert.Equal(["CallbackCommand", "GroupId", "Type", "Operator_Account", "Member_Account", "NameCard", "EventTime"], fields[1].Body.Select(p => p.Key));
        var change = Assert.Single(await _im.WaitForCallbacksAsync("Group.CallbackAfterChangeGroupOwner", 1, Patience));
        Assert.Equal(("RESTAPI", "gw_admin", "o", "m2", "Public"), (change.OptPlatform, (string)change.Body["Operator_Account"]!, (string)change.Body["OldOwner_Account"]!, (string)change.Body["NewOwner_Account"]!, (string)change.Body["Type"]!));
        await DrainCallbacksAsync();
        Assert.Equal(["Group.CallbackAfterCreateGroup", "Group.CallbackAfterMemberFieldChanged", "Group.CallbackAfterMemberFieldChanged", "Group.CallbackAfterChangeGroupOwner"], _im.Callbacks.Select(c => c.Command));
    }
}
