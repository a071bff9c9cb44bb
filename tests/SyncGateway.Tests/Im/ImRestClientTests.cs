using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Im;

public sealed class ImRestClientTests
{
    private const string Key = "test-secret-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly ManualTimeProvider _time = new();
    private readonly StubImHandler _handler = new();
    private ImOptions _options = new()
    {
        SdkAppId = 1400000001,
        ApiBaseUrl = new Uri("https://adminapisgp.im.qcloud.com"),
        AdminIdentifier = "gw admin",
        SecretKey = Key,
        RestTimeoutSeconds = 5,
    };

    private ImRestClient Client(IAdminUserSigProvider? userSigs = null)
    {
        var options = Options.Create(_options);
        return new ImRestClient(
            new HttpClient(_handler),
            options,
            userSigs ?? new AdminUserSigProvider(options, _time),
            new ApiRateLimiter(options, _time, TestTelemetry.Create()),
            new ImRetryPolicy(4, TimeSpan.Zero, TimeSpan.Zero),
            _time,
            TestTelemetry.Create(),
            NullLogger<ImRestClient>.Instance);
    }

    private sealed record SendMsgRequest(
        [property: JsonPropertyName("To_Account")] string ToAccount,
        [property: JsonPropertyName("MsgRandom")] uint MsgRandom,
        [property: JsonPropertyName("From_Account")] string? FromAccount = null);

    [Fact]
    public async Task Posts_to_the_api_path_with_ims_query_string_and_a_verifiable_admin_sig()
    {
        _handler.Answer("""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MsgTime":1736920800,"MsgKey":"1_2_1736920800"}""");

        var root = await Client().CallAsync(ImApi.SendMsg, new SendMsgRequest("u_2", 4000000000), default);

        Assert.Equal("1_2_1736920800", root.GetProperty("MsgKey").GetString());
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://adminapisgp.im.qcloud.com/v4/openim/sendmsg", request.Uri.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(request.Uri.Query);
        Assert.Equal(["sdkappid", "identifier", "usersig", "random", "contenttype"], query.Keys);
        Assert.Equal("1400000001", query["sdkappid"]);
        Assert.Equal("gw admin", query["identifier"]);
        Assert.Equal("json", query["contenttype"]);
        Assert.True(uint.TryParse(query["random"], out _));
        var sig = UserSig.Decode(query["usersig"]!);
        Assert.True(UserSig.HasValidSignature(sig, Key));
        Assert.Equal(("gw admin", 1400000001L), (sig.Identifier, sig.SdkAppId));
        Assert.Equal("application/json", request.ContentType);
    }

    [Fact]
    public async Task Writes_the_body_with_ims_names_as_given_and_omits_nulls()
    {
        _handler.Answer("""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}""");
        var client = Client();

        await client.CallAsync(ImApi.SendMsg, new SendMsgRequest("u_2", 4000000000), default);
        await client.CallAsync(ImApi.SendGroupMsg, new { GroupId = "g_1", Random = 7u, MsgBody = new[] { new { MsgType = "TIMTextElem", MsgContent = new { Text = "好" } } } }, default);

        Assert.Equal("""{"To_Account":"u_2","MsgRandom":4000000000}""", _handler.Requests[0].Body);
        Assert.Equal("""{"GroupId":"g_1","Random":7,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"好"}}]}""", _handler.Requests[1].Body);
    }

    [Fact]
    public async Task Uses_a_new_random_on_every_request()
    {
        _handler.Answer("""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}""");
        var client = Client();

        for (var i = 0; i < 5; i++)
        {
            await client.CallAsync(ImApi.DestroyGroup, new { GroupId = "g" }, default);
        }

        Assert.Equal(5, _handler.Requests.Select(r => QueryHelpers.ParseQuery(r.Uri.Query)["random"].ToString()).Distinct().Count());
    }

    [Theory]
    [InlineData("""{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"rate limit"}""")]
    [InlineData("""{"ActionStatus":"FAIL","ErrorCode":10002,"ErrorInfo":"busy"}""")]
    [InlineData("HTTP 502")]
    [InlineData("<html>gateway</html>")]
    [InlineData("""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MsgSeq":0,"MsgDropReason":"MsgFreqCtrl"}""")]
    public async Task Retries_a_transient_answer_with_the_same_body(string firstAnswer)
    {
        _handler.Answer(firstAnswer);
        _handler.Answer("""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","MsgSeq":12}""");

        var root = await Client().CallAsync(ImApi.SendGroupMsg, new { GroupId = "g_1", Random = 99 }, default);

        Assert.Equal(12, root.GetProperty("MsgSeq").GetInt32());
        Assert.Equal(2, _handler.Requests.Count);
        Assert.Equal(_handler.Requests[0].Body, _handler.Requests[1].Body);
    }

    [Fact]
    public async Task Gives_up_after_four_transient_answers_with_a_transient_exception()
    {
        _handler.Answer("""{"ActionStatus":"FAIL","ErrorCode":60007,"ErrorInfo":"rate limit"}""");

        var error = await Assert.ThrowsAsync<ImTransientException>(() => Client().CallAsync(ImApi.SendMsg, new { To_Account = "u" }, default));

        Assert.Equal(60007, error.ErrorCode);
        Assert.Equal("rate limit", error.ErrorInfo);
        Assert.Equal(ImApi.SendMsg, error.Api);
        Assert.Equal(4, _handler.Requests.Count);
    }

    [Fact]
    public async Task Throws_a_permanent_exception_with_the_code_at_once()
    {
        _handler.Answer("""{"ActionStatus":"FAIL","ErrorCode":10010,"ErrorInfo":"group not found"}""");

        var error = await Assert.ThrowsAsync<ImPermanentException>(() => Client().CallAsync(ImApi.DestroyGroup, new { GroupId = "g" }, default));

        Assert.Equal(10010, error.ErrorCode);
        Assert.Equal("group not found", error.ErrorInfo);
        Assert.IsType<PermanentFailureException>(error, exactMatch: false);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task Returns_the_answer_when_the_state_exists_already()
    {
        _handler.Answer("""{"ActionStatus":"FAIL","ErrorCode":10025,"ErrorInfo":"group id used by you","GroupId":"g"}""");

        var root = await Client().CallAsync(ImApi.CreateGroup, new { GroupId = "g" }, default);

        Assert.Equal(10025, root.GetProperty("ErrorCode").GetInt32());
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task Renews_the_user_sig_once_when_im_says_it_expired()
    {
        var userSigs = Substitute.For<IAdminUserSigProvider>();
        userSigs.GetUserSig().Returns("old-sig", "old-sig", "new-sig");
        _handler.Answer("""{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"sig expired"}""");
        _handler.Answer("""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}""");

        await Client(userSigs).CallAsync(ImApi.AccountCheck, new { CheckItem = Array.Empty<object>() }, default);

        userSigs.Received(1).Renew("old-sig");
        Assert.Equal(["old-sig", "new-sig"], _handler.Requests.Select(r => QueryHelpers.ParseQuery(r.Uri.Query)["usersig"].ToString()));
    }

    [Fact]
    public async Task A_second_expired_answer_is_permanent()
    {
        _handler.Answer("""{"ActionStatus":"FAIL","ErrorCode":70001,"ErrorInfo":"sig expired"}""");

        var error = await Assert.ThrowsAsync<ImPermanentException>(() => Client().CallAsync(ImApi.AccountCheck, new { }, default));

        Assert.Equal(70001, error.ErrorCode);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task An_attempt_without_an_answer_times_out_and_is_retried()
    {
        _handler.Hang();
        _handler.Answer("""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}""");

        var call = Client().CallAsync(ImApi.SendMsg, new { To_Account = "u" }, default);
        await _handler.FirstRequestArrived.WaitAsync(Patience);
        _time.Advance(TimeSpan.FromSeconds(5));

        await call.WaitAsync(Patience);
        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_turned_into_an_im_failure()
    {
        _handler.Hang();
        using var cancel = new CancellationTokenSource();

        var call = Client().CallAsync(ImApi.SendMsg, new { To_Account = "u" }, cancel.Token);
        await _handler.FirstRequestArrived.WaitAsync(Patience);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(Patience));
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task Without_a_secret_key_fails_permanently_before_sending()
    {
        _options = new ImOptions { SdkAppId = 1, SecretKey = null };

        var error = await Assert.ThrowsAsync<PermanentFailureException>(() => Client().CallAsync(ImApi.SendMsg, new { }, default));

        Assert.Contains("Im:SecretKey is not set", error.Message, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    private sealed record SeenRequest(HttpMethod Method, Uri Uri, string? ContentType, string Body);

    /// <summary>Answers requests from a script; the last scripted answer repeats.</summary>
    private sealed class StubImHandler : HttpMessageHandler
    {
        private const string HangMarker = "(hang)";
        private readonly List<string> _script = [];
        private readonly TaskCompletionSource _firstRequest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<SeenRequest> Requests { get; } = [];
        public Task FirstRequestArrived => _firstRequest.Task;

        public void Answer(string answer) => _script.Add(answer);
        public void Hang() => _script.Add(HangMarker);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string answer;
            lock (Requests)
            {
                Requests.Add(new SeenRequest(request.Method, request.RequestUri!, request.Content?.Headers.ContentType?.MediaType,
                    request.Content is null ? "" : Encoding.UTF8.GetString(request.Content.ReadAsByteArrayAsync(cancellationToken).GetAwaiter().GetResult())));
                answer = _script[Math.Min(Requests.Count, _script.Count) - 1];
            }
            _firstRequest.TrySetResult();
            if (answer == HangMarker)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            if (answer.StartsWith("HTTP ", StringComparison.Ordinal))
            {
                return new HttpResponseMessage((HttpStatusCode)int.Parse(answer[5..], System.Globalization.CultureInfo.InvariantCulture));
            }
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }
    }
}
