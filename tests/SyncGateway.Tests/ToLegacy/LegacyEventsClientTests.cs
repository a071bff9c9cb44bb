using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;
using SyncGateway.Tests.Support;
using SyncGateway.ToLegacy;

namespace SyncGateway.Tests.ToLegacy;

public sealed class LegacyEventsClientTests : IDisposable
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string NewSecret = "whsec_dGhlLW5ldy1rZXktMDEyMzQ1Njc4OQ==";
    private const string EventId = "im-5f0c3a9d2b7e4c1a8d6f0b3e9a7c5d21";

    private static readonly Uri EventsUrl = new("https://legacy.example.com/hooks/im-events");
    private static readonly byte[] CloudEvent = Encoding.UTF8.GetBytes("""{"specversion":"1.0","id":"im-5f0c3a9d2b7e4c1a8d6f0b3e9a7c5d21","data":{}}""");

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 15, 6, 0, 1, TimeSpan.Zero));
    private readonly LegacyOptions _options = new() { EventsUrl = EventsUrl, SigningSecret = Secret, DeliveryAttempts = 3, DeliveryTimeoutSeconds = 10 };
    private readonly LegacyClientFactory _clients;

    public LegacyEventsClientTests() => _clients = new LegacyClientFactory(_time);

    public void Dispose() => _clients.Dispose();

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.Accepted)]
    [InlineData(HttpStatusCode.NoContent)]
    public async Task Delivers_on_any_2xx(HttpStatusCode status)
    {
        var handler = StubHttpHandler.Answering(status);

        await Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None);

        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Posts_the_cloud_event_signed_as_a_standard_webhook()
    {
        var handler = StubHttpHandler.Answering(HttpStatusCode.OK);

        await Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(EventsUrl, request.Uri);
        Assert.Equal("application/cloudevents+json", request.ContentType);
        Assert.Equal(CloudEvent, request.Body);
        Assert.Equal(EventId, request.Header("webhook-id"));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), request.Header("webhook-timestamp"));
        Assert.Null(VerifyAsReceiver(request, _time.GetUtcNow()));
    }

    [Fact]
    public async Task Signs_with_each_configured_secret_so_a_receiver_that_knows_either_one_verifies()
    {
        _options.SigningSecret = $"{Secret} {NewSecret}";
        var handler = StubHttpHandler.Answering(HttpStatusCode.OK);

        await Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        var signatures = request.Header("webhook-signature").Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.Null(VerifyAsReceiver(request, _time.GetUtcNow(), Secret, signatures[0]));
        Assert.Null(VerifyAsReceiver(request, _time.GetUtcNow(), NewSecret, signatures[1]));
        Assert.Null(VerifyAsReceiver(request, _time.GetUtcNow(), NewSecret));
        Assert.Null(VerifyAsReceiver(request, _time.GetUtcNow(), Secret));
    }

    [Fact]
    public async Task Retries_a_503_with_the_same_webhook_id_and_a_fresh_signature()
    {
        var handler = new StubHttpHandler(
            AfterSeconds(30, HttpStatusCode.ServiceUnavailable),
            AfterSeconds(0, HttpStatusCode.OK));

        await Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None);

        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal(EventId, r.Header("webhook-id")));
        var (first, second) = (handler.Requests[0], handler.Requests[1]);
        Assert.Equal(30, long.Parse(second.Header("webhook-timestamp"), CultureInfo.InvariantCulture) - long.Parse(first.Header("webhook-timestamp"), CultureInfo.InvariantCulture));
        Assert.Null(VerifyAsReceiver(second, _time.GetUtcNow()));
        Assert.NotEqual(first.Header("webhook-signature"), second.Header("webhook-signature"));
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.RequestTimeout)]
    public async Task Throws_transient_after_its_attempts_when_legacy_keeps_failing_transiently(HttpStatusCode status)
    {
        _options.DeliveryAttempts = 2;
        var handler = StubHttpHandler.Answering(status);

        var ex = await Assert.ThrowsAsync<TransientFailureException>(() => Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None));

        Assert.Contains(((int)status).ToString(CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal(EventId, r.Header("webhook-id")));
    }

    [Fact]
    public async Task Makes_the_configured_number_of_attempts()
    {
        var handler = StubHttpHandler.Answering(HttpStatusCode.ServiceUnavailable);

        await Assert.ThrowsAsync<TransientFailureException>(() => Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None));

        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task Makes_a_single_attempt_when_configured_to()
    {
        _options.DeliveryAttempts = 1;
        var handler = StubHttpHandler.Answering(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);

        await Assert.ThrowsAsync<TransientFailureException>(() => Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None));

        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    public async Task Throws_permanent_at_once_naming_status_and_body_when_legacy_refuses(HttpStatusCode status)
    {
        var handler = new StubHttpHandler(StubHttpHandler.Respond(status, """{"error":"unknown conversation c2c:u_1:u_2"}"""));

        var ex = await Assert.ThrowsAsync<PermanentFailureException>(() => Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None));

        Assert.Equal($$"""legacy answered {{(int)status}}: {"error":"unknown conversation c2c:u_1:u_2"}""", ex.Message);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Keeps_a_long_refusal_body_out_of_the_message_beyond_a_bound()
    {
        var handler = new StubHttpHandler(StubHttpHandler.Respond(HttpStatusCode.BadRequest, new string('x', 50_000)));

        var ex = await Assert.ThrowsAsync<PermanentFailureException>(() => Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None));

        Assert.StartsWith("legacy answered 400: xxx", ex.Message, StringComparison.Ordinal);
        Assert.InRange(ex.Message.Length, 100, 1100);
    }

    [Fact]
    public async Task Throws_transient_when_legacy_is_unreachable()
    {
        _options.DeliveryAttempts = 2;
        var handler = new StubHttpHandler((_, _) => throw new HttpRequestException("Connection refused (legacy.example.com:443)"));

        var ex = await Assert.ThrowsAsync<TransientFailureException>(() => Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None));

        Assert.Contains("Connection refused", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Throws_transient_when_legacy_does_not_answer_in_time()
    {
        _options.DeliveryAttempts = 1;
        _options.DeliveryTimeoutSeconds = 1;
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StubHttpHandler(Hanging(arrived));

        var delivery = Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None);
        await arrived.Task.WaitAsync(Patience);
        _time.Advance(TimeSpan.FromSeconds(1));

        var ex = await Assert.ThrowsAsync<TransientFailureException>(() => delivery.WaitAsync(Patience));
        Assert.Contains("did not answer within 1 s", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retries_an_attempt_that_timed_out_signed_afresh_under_the_same_webhook_id()
    {
        _options.DeliveryTimeoutSeconds = 5;
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new StubHttpHandler(Hanging(arrived), StubHttpHandler.Respond(HttpStatusCode.NoContent));

        var delivery = Client(handler).DeliverAsync(EventId, CloudEvent, CancellationToken.None);
        await arrived.Task.WaitAsync(Patience);
        _time.Advance(TimeSpan.FromSeconds(5));
        await delivery.WaitAsync(Patience);

        Assert.Equal(2, handler.Requests.Count);
        var (first, second) = (handler.Requests[0], handler.Requests[1]);
        Assert.Equal([EventId, EventId], [first.Header("webhook-id"), second.Header("webhook-id")]);
        Assert.Equal(5, long.Parse(second.Header("webhook-timestamp"), CultureInfo.InvariantCulture) - long.Parse(first.Header("webhook-timestamp"), CultureInfo.InvariantCulture));
        Assert.NotEqual(first.Header("webhook-signature"), second.Header("webhook-signature"));
        Assert.Null(VerifyAsReceiver(second, _time.GetUtcNow()));
    }

    [Fact]
    public async Task Lets_the_callers_cancellation_through_as_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var handler = StubHttpHandler.Answering(HttpStatusCode.OK);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(handler).DeliverAsync(EventId, CloudEvent, cancelled.Token));
    }

    [Fact]
    public async Task Fails_permanently_when_no_events_url_is_configured()
    {
        _options.EventsUrl = null;

        var ex = await Assert.ThrowsAsync<PermanentFailureException>(
            () => Client(StubHttpHandler.Answering(HttpStatusCode.OK)).DeliverAsync(EventId, CloudEvent, CancellationToken.None));

        Assert.Contains("Legacy:EventsUrl", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    public void Refuses_a_signing_secret_that_is_not_whsec(string? secret)
    {
        _options.SigningSecret = secret;

        var ex = Assert.Throws<InvalidOperationException>(() => Client(StubHttpHandler.Answering(HttpStatusCode.OK)));

        Assert.Contains("Legacy:SigningSecret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.ServiceUnavailable, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.BadRequest, false)]
    [InlineData(HttpStatusCode.Forbidden, false)]
    [InlineData(HttpStatusCode.Gone, false)]
    public void Classifies_statuses(HttpStatusCode status, bool transient)
        => Assert.Equal(transient, HttpStatuses.IsTransient(status));

    private LegacyEventsClient Client(StubHttpHandler handler) => _clients.Create(_options, handler);

    // An attempt that never answers; the test moves the clock past the attempt's timeout once it has arrived.
    private static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Hanging(TaskCompletionSource arrived)
        => async (_, ct) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };

    // Each answer moves the clock on, so a retry is signed at a later time than the attempt before it.
    private Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> AfterSeconds(int seconds, HttpStatusCode status)
        => (_, _) =>
        {
            _time.Advance(TimeSpan.FromSeconds(seconds));
            return Task.FromResult(new HttpResponseMessage(status));
        };

    private static string? VerifyAsReceiver(RecordedRequest request, DateTimeOffset now, string secret = Secret, string? signatures = null)
        => StandardWebhooks.Verify([StandardWebhooks.TryDecodeSecret(secret)!], request.Header("webhook-id"), request.Header("webhook-timestamp"),
            signatures ?? request.Header("webhook-signature"), request.Body, now, TimeSpan.FromMinutes(5));
}
