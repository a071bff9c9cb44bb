using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;

namespace SyncGateway.Im;

/// <summary>
/// Client-side limit per IM REST API: IM never sees more than N calls arrive within any one-second window, N being
/// <see cref="ImOptions.RestCallsPerSecond"/> when set, else the API's documented default.
/// </summary>
/// <remarks>
/// Each API has N tokens. A call holds one from its start until its answer (or failure) and the token is free again one
/// window after that. Two calls on one token therefore reach IM at least a window apart, because the first arrived
/// before it was answered; so no window at IM holds more than N arrivals, however unevenly the network, connection
/// set-up or thread scheduling delay individual calls (measured: up to 0.8 s on a cold start, far beyond any fixed guard).
/// The price is a rate of N per (window + latency): about 99 % of the limit at 10 ms latency, 95 % at 50 ms.
/// Waiters are served first come, first served. A cancelled waiter takes no token.
/// </remarks>
internal sealed class ApiRateLimiter
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<ImApi, TokenPool> _pools = new();
    private readonly TimeProvider _time;
    private readonly SyncTelemetry _telemetry;
    private readonly int _configuredCallsPerSecond;

    public ApiRateLimiter(IOptions<ImOptions> options, TimeProvider time, SyncTelemetry telemetry)
        : this(options.Value.RestCallsPerSecond, time, telemetry)
    {
    }

    internal ApiRateLimiter(int callsPerSecond, TimeProvider time, SyncTelemetry telemetry)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(callsPerSecond);
        _time = time;
        _telemetry = telemetry;
        _configuredCallsPerSecond = callsPerSecond;
    }

    public int LimitFor(ImApi api)
        => _configuredCallsPerSecond > 0 ? _configuredCallsPerSecond : api.DefaultCallsPerSecond;

    /// <summary>
    /// Completes when a call to <paramref name="api"/> may start. Dispose the lease as soon as the call has its answer
    /// or has failed: the window is counted from then.
    /// </summary>
    public ValueTask<Lease> AcquireAsync(ImApi api, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pool = _pools.GetOrAdd(api, static (a, limiter) => new TokenPool(a.ToString(), limiter.LimitFor(a), limiter._time, limiter._telemetry), this);
        return pool.AcquireAsync(cancellationToken);
    }

    /// <summary>One token, held for the duration of one call.</summary>
    internal sealed class Lease : IDisposable
    {
        private TokenPool? _pool;

        internal Lease(TokenPool pool) => _pool = pool;

        public void Dispose() => Interlocked.Exchange(ref _pool, null)?.Release();
    }

    internal sealed class TokenPool
    {
        private readonly Lock _lock = new();
        private readonly string _apiName;
        private readonly SyncTelemetry _telemetry;
        private readonly TimeProvider _time;
        private readonly long _windowTicks;
        // Free tokens by the timestamp from which they may be used; tokens in use are in neither collection.
        private readonly PriorityQueue<object?, long> _free = new();
        private readonly LinkedList<Waiter> _waiters = new();
        private readonly ITimer _timer;
        private long _timerDueAt = long.MaxValue;

        public TokenPool(string apiName, int tokens, TimeProvider time, SyncTelemetry telemetry)
        {
            _apiName = apiName;
            _telemetry = telemetry;
            _time = time;
            _windowTicks = (long)Math.Ceiling(Window.TotalSeconds * time.TimestampFrequency);
            for (var i = 0; i < tokens; i++)
            {
                _free.Enqueue(null, long.MinValue);
            }
            _timer = time.CreateTimer(static state => ((TokenPool)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public ValueTask<Lease> AcquireAsync(CancellationToken cancellationToken)
        {
            var requestedAt = _time.GetTimestamp();
            Waiter waiter;
            lock (_lock)
            {
                if (_waiters.Count == 0 && _free.TryPeek(out _, out var freeAt) && freeAt <= requestedAt)
                {
                    _free.Dequeue();
                    _telemetry.RecordRateLimiterWait(_apiName, TimeSpan.Zero);
                    return ValueTask.FromResult(new Lease(this));
                }
                waiter = new Waiter(requestedAt);
                waiter.Node = _waiters.AddLast(waiter);
                ScheduleLocked(_time.GetTimestamp());
            }
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Cancellation = cancellationToken.UnsafeRegister(static (state, token) =>
                {
                    var (pool, w) = ((TokenPool, Waiter))state!;
                    pool.Cancel(w, token);
                }, (this, waiter));
            }
            return new ValueTask<Lease>(waiter.Completion.Task);
        }

        public void Release()
        {
            lock (_lock)
            {
                var now = _time.GetTimestamp();
                _free.Enqueue(null, now + _windowTicks);
                ScheduleLocked(now);
            }
        }

        private void OnTimer()
        {
            lock (_lock)
            {
                _timerDueAt = long.MaxValue;
                ScheduleLocked(_time.GetTimestamp());
            }
        }

        private void Cancel(Waiter waiter, CancellationToken token)
        {
            lock (_lock)
            {
                if (waiter.Node?.List is null)
                {
                    return;
                }
                _waiters.Remove(waiter.Node);
            }
            waiter.Completion.TrySetCanceled(token);
        }

        /// <summary>Hands free tokens to waiters in arrival order, then sets the timer for the next token to come free.</summary>
        private void ScheduleLocked(long now)
        {
            while (_waiters.First is { } first && _free.TryPeek(out _, out var freeAt) && freeAt <= now)
            {
                _free.Dequeue();
                _waiters.RemoveFirst();
                var waiter = first.Value;
                waiter.Cancellation.Dispose();
                _telemetry.RecordRateLimiterWait(_apiName, _time.GetElapsedTime(waiter.RequestedAt, now));
                // Completion continues asynchronously, outside this lock.
                waiter.Completion.TrySetResult(new Lease(this));
            }
            if (_waiters.Count > 0 && _free.TryPeek(out _, out var next) && next < _timerDueAt)
            {
                _timerDueAt = next;
                // Round up: timers count whole milliseconds and one firing early would only re-arm the timer.
                var delay = TimeSpan.FromMilliseconds(Math.Ceiling(_time.GetElapsedTime(now, next).TotalMilliseconds));
                _timer.Change(delay, Timeout.InfiniteTimeSpan);
            }
        }

        private sealed class Waiter(long requestedAt)
        {
            public long RequestedAt { get; } = requestedAt;
            public TaskCompletionSource<Lease> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
            public LinkedListNode<Waiter>? Node { get; set; }
            public CancellationTokenRegistration Cancellation { get; set; }
        }
    }
}
