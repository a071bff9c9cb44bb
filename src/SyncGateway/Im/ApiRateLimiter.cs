using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;

namespace SyncGateway.Im;

/// <summary>
/// Client-side limit per IM REST API: at most N calls start in any one-second window, N being
/// <see cref="ImOptions.RestCallsPerSecond"/> when set, else the API's documented default.
/// </summary>
/// <remarks>
/// Each caller reserves a start time under a short lock: the later of now and the start N calls earlier plus the
/// window. Reserved starts never decrease and any N+1 consecutive starts span at least a window, so no one-second
/// window can hold more than N; callers are released in the order they arrived. The window carries a small guard
/// (1 % by default) so that scheduling and network jitter between our release and the server's arrival time cannot
/// push a server-side window over N. A caller cancelled while waiting leaves its slot unused, which only ever slows
/// later callers down, never speeds them up.
/// </remarks>
internal sealed class ApiRateLimiter
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(1);
    public const double DefaultGuard = 0.01;

    private readonly ConcurrentDictionary<ImApi, StartLog> _logs = new();
    private readonly TimeProvider _time;
    private readonly int _configuredCallsPerSecond;
    private readonly long _windowTicks;

    public ApiRateLimiter(IOptions<ImOptions> options, TimeProvider time)
        : this(options.Value.RestCallsPerSecond, time)
    {
    }

    internal ApiRateLimiter(int callsPerSecond, TimeProvider time, double guard = DefaultGuard)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(callsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegative(guard);
        _time = time;
        _configuredCallsPerSecond = callsPerSecond;
        _windowTicks = (long)Math.Ceiling(Window.TotalSeconds * (1 + guard) * time.TimestampFrequency);
    }

    public int LimitFor(ImApi api)
        => _configuredCallsPerSecond > 0 ? _configuredCallsPerSecond : api.DefaultCallsPerSecond;

    /// <summary>Completes when a call to <paramref name="api"/> may start.</summary>
    public ValueTask WaitAsync(ImApi api, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var log = _logs.GetOrAdd(api, static (a, limiter) => new StartLog(a.ToString(), limiter.LimitFor(a)), this);
        var now = _time.GetTimestamp();
        var start = log.Reserve(now, _windowTicks);
        if (start <= now)
        {
            SyncTelemetry.RecordRateLimiterWait(log.ApiName, TimeSpan.Zero);
            return ValueTask.CompletedTask;
        }
        return WaitUntilAsync(log.ApiName, now, start, cancellationToken);
    }

    private async ValueTask WaitUntilAsync(string apiName, long requestedAt, long start, CancellationToken cancellationToken)
    {
        long now;
        // Loop: a timer may fire a hair before the timestamp clock reaches the reserved start. Task.Delay truncates to
        // whole milliseconds, so round up or a sub-millisecond remainder would spin.
        while ((now = _time.GetTimestamp()) < start)
        {
            var remaining = _time.GetElapsedTime(now, start);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds)), _time, cancellationToken);
        }
        SyncTelemetry.RecordRateLimiterWait(apiName, _time.GetElapsedTime(requestedAt, now));
    }

    /// <summary>Ring of the last N reserved start times (timestamp ticks) of one API.</summary>
    private sealed class StartLog(string apiName, int limit)
    {
        private readonly long[] _starts = new long[limit];
        private readonly Lock _lock = new();
        private int _next;
        private int _count;

        public string ApiName { get; } = apiName;

        public long Reserve(long now, long window)
        {
            lock (_lock)
            {
                var start = now;
                if (_count == _starts.Length)
                {
                    start = Math.Max(now, _starts[_next] + window);
                }
                else
                {
                    _count++;
                }
                _starts[_next] = start;
                _next = (_next + 1) % _starts.Length;
                return start;
            }
        }
    }
}
