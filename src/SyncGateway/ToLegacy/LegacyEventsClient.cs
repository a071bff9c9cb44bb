using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using SyncGateway.Hosting;

namespace SyncGateway.ToLegacy;

/// <summary>
/// What every delivery to legacy shares, built once: the decoded signing keys and the quick-retry pipeline that
/// the client's resilience handler runs (<see cref="ToLegacyRegistration.AddLegacyEventsClient"/>).
/// </summary>
internal sealed class LegacyDeliveryPolicy
{
    private readonly TimeSpan _retryDelay;

    public LegacyDeliveryPolicy(IOptions<LegacyOptions> options) : this(options, TimeSpan.FromMilliseconds(200))
    {
    }

    /// <param name="options">The <c>Legacy</c> section.</param>
    /// <param name="retryDelay">Base of the exponential delay between attempts; tests pass zero.</param>
    internal LegacyDeliveryPolicy(IOptions<LegacyOptions> options, TimeSpan retryDelay)
    {
        Options = options.Value;
        Keys = StandardWebhooks.TryDecodeSecrets(Options.SigningSecret)
            ?? throw new InvalidOperationException(StandardWebhooks.DescribeInvalidSecrets("Legacy:SigningSecret", Options.SigningSecret));
        _retryDelay = retryDelay;
    }

    public LegacyOptions Options { get; }

    public IReadOnlyList<byte[]> Keys { get; }

    /// <summary>A few quick attempts on transient answers, each bounded by <see cref="LegacyOptions.DeliveryTimeoutSeconds"/>.</summary>
    public void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, TimeProvider time)
    {
        pipeline.TimeProvider = time;
        // Polly refuses a retry strategy with zero retries, and one attempt (a valid setting) needs none.
        if (Options.DeliveryAttempts > 1)
        {
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Options.DeliveryAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _retryDelay,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => HttpStatuses.IsTransient(r.StatusCode)),
            });
        }
        pipeline.AddTimeout(TimeSpan.FromSeconds(Options.DeliveryTimeoutSeconds));
    }
}

/// <summary>
/// POSTs signed CloudEvents to <see cref="LegacyOptions.EventsUrl"/>. 2xx = delivered; 5xx, 408, 429, timeouts and
/// network errors are transient (a few quick attempts by the resilience handler, then
/// <see cref="TransientFailureException"/> for the consumer's retry); any other status is permanent
/// (<see cref="PermanentFailureException"/> naming status and body). <see cref="LegacySigningHandler"/> signs each attempt.
/// </summary>
internal sealed class LegacyEventsClient(HttpClient http, LegacyDeliveryPolicy policy)
{
    private readonly HttpClient _http = http;
    private readonly LegacyOptions _options = policy.Options;

    /// <summary>POSTs <paramref name="cloudEvent"/>; returns legacy's (successful) status, which the delivery ledger records.</summary>
    public async Task<int> DeliverAsync(string eventId, byte[] cloudEvent, CancellationToken cancellationToken)
    {
        var url = _options.EventsUrl ?? throw new PermanentFailureException("Legacy:EventsUrl is not set");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(cloudEvent) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventWriter.ContentType);
        request.Headers.Add(StandardWebhooks.IdHeader, eventId);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientFailureException($"legacy unreachable: {ex.Message}", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new TransientFailureException($"legacy did not answer within {_options.DeliveryTimeoutSeconds} s", ex);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return status;
            }
            if (HttpStatuses.IsTransient(response.StatusCode))
            {
                throw new TransientFailureException($"legacy answered {status}");
            }
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new PermanentFailureException($"legacy answered {status}: {Truncate(body, 1000)}");
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}

/// <summary>
/// Signs one delivery attempt per Standard Webhooks. It sits inside the resilience handler, so every retry gets a
/// fresh <c>webhook-timestamp</c> and signatures (a receiver's replay window must not reject a late retry) while the
/// <c>webhook-id</c> the client set, the CloudEvent id, stays the same.
/// </summary>
internal sealed class LegacySigningHandler(LegacyDeliveryPolicy policy, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var id = request.Headers.GetValues(StandardWebhooks.IdHeader).Single();
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.Remove(StandardWebhooks.TimestampHeader);
        request.Headers.Remove(StandardWebhooks.SignatureHeader);
        request.Headers.Add(StandardWebhooks.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(policy.Keys, id, timestamp, body));
        return await base.SendAsync(request, cancellationToken);
    }
}
