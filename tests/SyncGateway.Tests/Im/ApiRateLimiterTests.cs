using Microsoft.Extensions.Options;
using SyncGateway.Im;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Im;

public sealed class ApiRateLimiterTests
{
    private static readonly TimeSpan WaitForRelease = TimeSpan.FromSeconds(10);
    private readonly ManualTimeProvider _time = new();

    private static Task Wait(ApiRateLimiter limiter, ImApi api, CancellationToken cancellationToken) => limiter.WaitAsync(api, cancellationToken).AsTask();

    [Fact]
    public void Limit_is_the_configured_rate_or_each_apis_documented_default()
    {
        var byApi = new ApiRateLimiter(Options.Create(new ImOptions()), _time);
        var configured = new ApiRateLimiter(Options.Create(new ImOptions { RestCallsPerSecond = 50 }), _time);

        Assert.Equal(200, byApi.LimitFor(ImApi.SendMsg));
        Assert.Equal(100, byApi.LimitFor(ImApi.MultiAccountImport));
        Assert.Equal(50, configured.LimitFor(ImApi.SendMsg));
        Assert.Equal(50, configured.LimitFor(ImApi.MultiAccountImport));
    }

    [Fact]
    public async Task Lets_n_calls_start_at_once_and_holds_the_next_until_the_oldest_is_a_window_old()
    {
        var limiter = new ApiRateLimiter(3, _time, guard: 0);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(Wait(limiter, ImApi.SendMsg, default).IsCompletedSuccessfully);
        }
        _time.Advance(TimeSpan.FromMilliseconds(400));

        var fourth = Wait(limiter, ImApi.SendMsg, default);
        _time.Advance(TimeSpan.FromMilliseconds(599));
        Assert.False(fourth.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await fourth.WaitAsync(WaitForRelease);
    }

    [Fact]
    public async Task Guard_stretches_the_window_by_its_fraction()
    {
        var limiter = new ApiRateLimiter(1, _time, guard: 0.01);
        await Wait(limiter, ImApi.SendMsg, default);

        var second = Wait(limiter, ImApi.SendMsg, default);
        _time.Advance(TimeSpan.FromMilliseconds(1009));
        Assert.False(second.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await second.WaitAsync(WaitForRelease);
    }

    [Fact]
    public async Task Each_api_has_its_own_budget()
    {
        var limiter = new ApiRateLimiter(1, _time);
        await Wait(limiter, ImApi.SendMsg, default);

        Assert.True(Wait(limiter, ImApi.SendGroupMsg, default).IsCompletedSuccessfully);
        Assert.False(Wait(limiter, ImApi.SendMsg, default).IsCompleted);
    }

    [Fact]
    public async Task Releases_a_burst_in_batches_of_n_per_guarded_window()
    {
        const int limit = 100;
        var limiter = new ApiRateLimiter(limit, _time, guard: 0.01);
        var start = _time.GetUtcNow();
        var releasedAt = new DateTimeOffset[1000];
        var waits = Enumerable.Range(0, releasedAt.Length)
            .Select(i => Wait(limiter, ImApi.ImportGroupMsg, default)
                .ContinueWith(_ => releasedAt[i] = _time.GetUtcNow(), TaskContinuationOptions.ExecuteSynchronously))
            .ToArray();

        for (var step = 0; step < 10; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1010));
        }
        await Task.WhenAll(waits).WaitAsync(WaitForRelease);

        for (var i = 0; i < releasedAt.Length; i++)
        {
            Assert.Equal(start + (TimeSpan.FromMilliseconds(1010) * (i / limit)), releasedAt[i]);
        }
    }

    [Fact]
    public async Task Never_starts_more_than_n_calls_in_any_window_whatever_the_arrival_pattern()
    {
        const int limit = 20;
        var limiter = new ApiRateLimiter(limit, _time, guard: 0);
        var random = new Random(1234);
        var released = new List<long>();
        var waits = new List<Task>();

        for (var i = 0; i < 600; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 60)));
            waits.Add(Wait(limiter, ImApi.SendMsg, default)
                .ContinueWith(_ => { lock (released) { released.Add(_time.GetTimestamp()); } }, TaskContinuationOptions.ExecuteSynchronously));
        }
        while (!waits.All(w => w.IsCompleted))
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }
        await Task.WhenAll(waits).WaitAsync(WaitForRelease);

        var starts = released.Order().ToArray();
        var window = TimeSpan.FromSeconds(1).Ticks;
        var busiest = Enumerable.Range(0, starts.Length).Max(i => starts.Skip(i).TakeWhile(t => t - starts[i] < window).Count());
        Assert.Equal(limit, busiest);
        Assert.Equal(600, starts.Length);
    }

    [Fact]
    public async Task Waiters_are_released_in_arrival_order()
    {
        var limiter = new ApiRateLimiter(2, _time, guard: 0);
        var order = new List<int>();
        var waits = Enumerable.Range(0, 6)
            .Select(i => Wait(limiter, ImApi.SendMsg, default)
                .ContinueWith(_ => { lock (order) { order.Add(i); } }, TaskContinuationOptions.ExecuteSynchronously))
            .ToArray();

        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(waits.Take(4)).WaitAsync(WaitForRelease);
        Assert.False(waits[4].IsCompleted);
        Assert.False(waits[5].IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(waits).WaitAsync(WaitForRelease);
        Assert.Equal([0, 1, 2, 3, 4, 5], order);
    }

    [Fact]
    public async Task A_cancelled_waiter_throws_and_does_not_let_later_calls_in_early()
    {
        var limiter = new ApiRateLimiter(1, _time, guard: 0);
        await Wait(limiter, ImApi.SendMsg, default);
        using var cancel = new CancellationTokenSource();

        var cancelled = Wait(limiter, ImApi.SendMsg, cancel.Token);
        var next = Wait(limiter, ImApi.SendMsg, default);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(WaitForRelease));
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.False(next.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await next.WaitAsync(WaitForRelease);
    }

    [Fact]
    public async Task An_already_cancelled_token_throws_without_taking_a_slot()
    {
        var limiter = new ApiRateLimiter(1, _time, guard: 0);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Wait(limiter, ImApi.SendMsg, new CancellationToken(true)));
        Assert.True(Wait(limiter, ImApi.SendMsg, default).IsCompletedSuccessfully);
    }
}
