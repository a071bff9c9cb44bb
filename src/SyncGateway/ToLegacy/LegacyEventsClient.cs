using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using SyncGateway.Hosting;

namespace SyncGateway.ToLegacy;

/// <summary>
/// What every delivery to legacy shares, built once: the decoded signing keys and the quick-retry pipeline.
/// The typed <see cref="LegacyEventsClient"/> is created per consume, so it must not rebuild these.
/// </summary>
internal sealed class LegacyDeliveryPolicy
{
    public LegacyDeliveryPolicy(IOptions<LegacyOptions> options)
    {
        Options = options.Value;
        Keys = StandardWebhooks.TryDecodeSecrets(Options.SigningSecret)
            ?? throw new InvalidOperationException(StandardWebhooks.DescribeInvalidSecrets("Legacy:SigningSecret", Options.SigningSecret));
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>();
        // Polly refuses a retry strategy with zero retries, and one attempt (a valid setting) needs none.
        if (Options.DeliveryAttempts > 1)
        {
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Options.DeliveryAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutException>()
                    .HandleResult(r => LegacyEventsClient.IsTransient(r.StatusCode)),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return ValueTask.CompletedTask;
                },
            });
        }
        Pipeline = pipeline.Build();
    }

    public LegacyOptions Options { get; }

    public IReadOnlyList<byte[]> Keys { get; }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }
}

/// <summary>
/// POSTs signed CloudEvents to <see cref="LegacyOptions.EventsUrl"/>. 2xx = delivered; 5xx, 408, 429, timeouts and
/// network errors are transient (a few quick attempts here, then <see cref="TransientFailureException"/> for the
/// consumer's retry); any other status is permanent (<see cref="PermanentFailureException"/> naming status and body).
/// </summary>
internal sealed class LegacyEventsClient(HttpClient http, LegacyDeliveryPolicy policy, TimeProvider time)
{
    private readonly HttpClient _http = http;
    private readonly LegacyOptions _options = policy.Options;
    private readonly IReadOnlyList<byte[]> _keys = policy.Keys;
    private readonly TimeProvider _time = time;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline = policy.Pipeline;

    public static bool IsTransient(HttpStatusCode status)
        => (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    public async Task DeliverAsync(string eventId, byte[] cloudEvent, CancellationToken cancellationToken)
    {
        var url = _options.EventsUrl ?? throw new PermanentFailureException("Legacy:EventsUrl is not set");
        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(async ct =>
            {
                using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                attemptTimeout.CancelAfter(TimeSpan.FromSeconds(_options.DeliveryTimeoutSeconds));
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(cloudEvent) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue(CloudEventWriter.ContentType);
                // Standard Webhooks: the id is stable across attempts, the timestamp and signature are per attempt.
                var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
                request.Headers.Add(StandardWebhooks.IdHeader, eventId);
                request.Headers.Add(StandardWebhooks.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
                request.Headers.Add(StandardWebhooks.SignatureHeader, StandardWebhooks.Sign(_keys, eventId, timestamp, cloudEvent));
                try
                {
                    return await _http.SendAsync(request, attemptTimeout.Token);
                }
                catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
                {
                    throw new TimeoutException($"legacy did not answer within {_options.DeliveryTimeoutSeconds} s", ex);
                }
            }, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new TransientFailureException($"legacy unreachable: {ex.Message}", ex);
        }
        catch (TimeoutException ex)
        {
            throw new TransientFailureException(ex.Message, ex);
        }

        using (response)
        {
            if (response.IsSuccessStatusCode)
            {
                return;
            }
            var status = (int)response.StatusCode;
            if (IsTransient(response.StatusCode))
            {
                throw new TransientFailureException($"legacy answered {status}");
            }
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new PermanentFailureException($"legacy answered {status}: {Truncate(body, 1000)}");
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
