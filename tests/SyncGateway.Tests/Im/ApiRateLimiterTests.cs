using Microsoft.Extensions.Options;
using SyncGateway.Im;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Im;

public sealed class ApiRateLimiterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);
    private readonly ManualTimeProvider _time = new();

    private static Task<ApiRateLimiter.Lease> Acquire(ApiRateLimiter limiter, ImApi api, CancellationToken cancellationToken = default)
        => limiter.AcquireAsync(api, cancellationToken).AsTask();

    [Fact]
    public void Limit_is_the_configured_rate_or_each_apis_documented_default()
    {
        var byApi = new ApiRateLimiter(Options.Create(new ImOptions()), _time, TestTelemetry.Create());
        var configured = new ApiRateLimiter(Options.Create(new ImOptions { RestCallsPerSecond = 50 }), _time, TestTelemetry.Create());

        Assert.Equal(200, byApi.LimitFor(ImApi.SendMsg));
        Assert.Equal(100, byApi.LimitFor(ImApi.MultiAccountImport));
        Assert.Equal(50, configured.LimitFor(ImApi.SendMsg));
        Assert.Equal(50, configured.LimitFor(ImApi.MultiAccountImport));
    }

    [Fact]
    public async Task Lets_n_calls_start_at_once_and_the_next_one_window_after_a_call_finished()
    {
        var limiter = new ApiRateLimiter(3, _time, TestTelemetry.Create());
        var leases = new List<ApiRateLimiter.Lease>();
        for (var i = 0; i < 3; i++)
        {
            var acquired = Acquire(limiter, ImApi.SendMsg);
            Assert.True(acquired.IsCompletedSuccessfully);
            leases.Add(await acquired);
        }
        var fourth = Acquire(limiter, ImApi.SendMsg);
        _time.Advance(TimeSpan.FromMilliseconds(400));

        leases[1].Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(fourth.IsCompleted);

        _time.Advance(Ms);
        Assert.True(fourth.IsCompleted);
        await fourth.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_call_still_running_keeps_its_token_however_long_ago_it_started()
    {
        var limiter = new ApiRateLimiter(1, _time, TestTelemetry.Create());
        var running = await Acquire(limiter, ImApi.SendMsg);

        var next = Acquire(limiter, ImApi.SendMsg);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(next.IsCompleted);

        running.Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        await next.WaitAsync(Patience);
    }

    [Fact]
    public async Task Disposing_a_lease_twice_frees_one_token()
    {
        var limiter = new ApiRateLimiter(1, _time, TestTelemetry.Create());
        var lease = await Acquire(limiter, ImApi.SendMsg);
        lease.Dispose();
        lease.Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));

        await Acquire(limiter, ImApi.SendMsg);
        Assert.False(Acquire(limiter, ImApi.SendMsg).IsCompleted);
    }

    [Fact]
    public async Task Each_api_has_its_own_tokens()
    {
        var limiter = new ApiRateLimiter(1, _time, TestTelemetry.Create());
        await Acquire(limiter, ImApi.SendMsg);

        Assert.True(Acquire(limiter, ImApi.SendGroupMsg).IsCompletedSuccessfully);
        Assert.False(Acquire(limiter, ImApi.SendMsg).IsCompleted);
    }

    [Fact]
    public async Task Instant_calls_run_in_batches_of_n_per_window()
    {
        const int limit = 100;
        var limiter = new ApiRateLimiter(limit, _time, TestTelemetry.Create());
        var start = _time.GetUtcNow();
        var acquired = Enumerable.Range(0, 1000).Select(_ => Acquire(limiter, ImApi.ImportGroupMsg)).ToArray();

        for (var batch = 0; batch < 10; batch++)
        {
            var leases = await Task.WhenAll(acquired.Skip(batch * limit).Take(limit)).WaitAsync(Patience);
            Assert.Equal(start + (TimeSpan.FromSeconds(1) * batch), _time.GetUtcNow());
            Assert.All(acquired.Skip((batch + 1) * limit), a => Assert.False(a.IsCompleted));
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task No_window_holds_more_than_n_arrivals_whatever_the_call_durations()
    {
        const int limit = 10;
        var limiter = new ApiRateLimiter(limit, _time, TestTelemetry.Create());
        var random = new Random(1234);
        var waiting = new List<(Task<ApiRateLimiter.Lease> Acquired, long Duration)>();
        var running = new List<(ApiRateLimiter.Lease Lease, long Start, long End)>();
        var calls = new List<(long Start, long End)>();
        var nextArrival = 0L;

        for (long now = 0; calls.Count < 400 || running.Count > 0; now++)
        {
            if (now >= nextArrival && calls.Count + waiting.Count + running.Count < 400)
            {
                waiting.Add((Acquire(limiter, ImApi.SendMsg), random.Next(0, 300)));
                nextArrival = now + random.Next(0, 20);
            }
            foreach (var started in waiting.Where(w => w.Acquired.IsCompleted).ToList())
            {
                waiting.Remove(started);
                running.Add((await started.Acquired, now, now + started.Duration));
            }
            foreach (var finished in running.Where(r => r.End <= now).ToList())
            {
                running.Remove(finished);
                finished.Lease.Dispose();
                calls.Add((finished.Start, finished.End));
            }
            _time.Advance(Ms);
        }

        Assert.Equal(limit, Busiest(calls.Select(c => c.Start)));
        Assert.True(Busiest(calls.Select(c => c.End)) <= limit);
        Assert.True(Busiest(calls.Select(c => c.Start + random.NextInt64(c.End - c.Start + 1))) <= limit);

        static int Busiest(IEnumerable<long> times)
        {
            var sorted = times.Order().ToArray();
            return Enumerable.Range(0, sorted.Length).Max(i => sorted.Skip(i).TakeWhile(t => t - sorted[i] < 1000).Count());
        }
    }

    [Fact]
    public async Task Waiters_are_served_in_arrival_order()
    {
        var limiter = new ApiRateLimiter(2, _time, TestTelemetry.Create());
        var first = await Task.WhenAll(Acquire(limiter, ImApi.SendMsg), Acquire(limiter, ImApi.SendMsg));
        var waiters = Enumerable.Range(0, 4).Select(_ => Acquire(limiter, ImApi.SendMsg)).ToArray();

        first[1].Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([true, false, false, false], waiters.Select(w => w.IsCompleted));

        first[0].Dispose();
        (await waiters[0]).Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([true, true, true, false], waiters.Select(w => w.IsCompleted));
    }

    [Fact]
    public async Task A_cancelled_waiter_throws_and_takes_no_token()
    {
        var limiter = new ApiRateLimiter(1, _time, TestTelemetry.Create());
        var running = await Acquire(limiter, ImApi.SendMsg);
        using var cancel = new CancellationTokenSource();
        var cancelled = Acquire(limiter, ImApi.SendMsg, cancel.Token);
        var next = Acquire(limiter, ImApi.SendMsg);

        await cancel.CancelAsync();
        running.Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Patience));
        await next.WaitAsync(Patience);
    }

    [Fact]
    public async Task An_already_cancelled_token_throws_without_taking_a_token()
    {
        var limiter = new ApiRateLimiter(1, _time, TestTelemetry.Create());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Acquire(limiter, ImApi.SendMsg, new CancellationToken(true)));
        Assert.True(Acquire(limiter, ImApi.SendMsg).IsCompletedSuccessfully);
    }
}
