using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace SyncGateway.Im;

/// <summary>
/// How often and how patiently <see cref="ImRestClient"/> repeats a call. Defaults: 4 attempts, exponential backoff from
/// 200 ms with ±50 % jitter, rate-limited answers wait at least 1 s (1, 2, 4 s plus up to 50 % jitter).
/// Worst case per call with the default 8 s attempt timeout: 4 × 8 s + about 10 s of backoff.
/// </summary>
internal sealed record ImRetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan RateLimitFloor)
{
    public static readonly ImRetryPolicy Default = new(4, TimeSpan.FromMilliseconds(200), ImErrorClassification.RateLimitBackoffFloor);

    /// <summary>Backoff before retry number <paramref name="retry"/> (0 = the first retry).</summary>
    public TimeSpan DelayBefore(int retry, bool rateLimited)
    {
        var factor = Math.Pow(2, Math.Min(retry, 16));
        if (rateLimited)
        {
            return RateLimitFloor * factor * (1 + (Random.Shared.NextDouble() / 2));
        }
        return BaseDelay * factor * (0.5 + Random.Shared.NextDouble());
    }

    internal ResiliencePipeline<ImAttempt> BuildPipeline(TimeProvider time, ILogger logger)
    {
        if (MaxAttempts < 2)
        {
            throw new InvalidOperationException("An IM retry policy needs at least 2 attempts.");
        }
        return new ResiliencePipelineBuilder<ImAttempt> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<ImAttempt>
            {
                MaxRetryAttempts = MaxAttempts - 1,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { Retry: true }),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Result!.Class.Kind == ImErrorKind.RenewUserSig
                    ? TimeSpan.Zero
                    : DelayBefore(args.AttemptNumber, args.Outcome.Result.Class.RateLimited)),
                OnRetry = args =>
                {
                    var attempt = args.Outcome.Result!;
                    ImRestClientLog.Retrying(logger, attempt.Api, attempt.ErrorCode, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }
}
