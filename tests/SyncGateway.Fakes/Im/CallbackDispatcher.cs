using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;

namespace SyncGateway.Fakes.Im;

/// <summary>
/// Posts raised callbacks one at a time, in the order they were raised, the way IM does: HTTP POST, IM's query string,
/// a timeout, and no retry. Every attempt is recorded, and so is every callback lost on purpose.
/// </summary>
internal sealed class CallbackDispatcher : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly FakeImOptions _options;
    private readonly Recorder<RecordedCallback> _recorder;
    private readonly Channel<(RaisedCallback Callback, TaskCompletionSource<RecordedCallback> Done)> _queue =
        Channel.CreateUnbounded<(RaisedCallback, TaskCompletionSource<RecordedCallback>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private int _pending;
    private Random? _lossDraws;

    public CallbackDispatcher(FakeImOptions options, Recorder<RecordedCallback> recorder)
    {
        _options = options;
        _recorder = recorder;
    }

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stopping.Token));

    /// <summary>The next <see cref="FakeImOptions.CallbackLossRate"/> draw starts a new sequence from <see cref="FakeImOptions.CallbackLossSeed"/>.</summary>
    public void RestartLossDraws() => Volatile.Write(ref _lossDraws, null);

    /// <summary>Callbacks raised and not yet posted (and recorded).</summary>
    public int Pending => Volatile.Read(ref _pending);

    public Task<RecordedCallback> Enqueue(RaisedCallback callback)
    {
        var done = new TaskCompletionSource<RecordedCallback>(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite((callback, done)))
        {
            Interlocked.Decrement(ref _pending);
            done.SetException(new InvalidOperationException("The fake IM server is stopped."));
        }
        return done.Task;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var (callback, done) in _queue.Reader.ReadAllAsync(stopping))
            {
                var record = await PostAsync(callback, stopping);
                _recorder.Add(record);
                Interlocked.Decrement(ref _pending);
                done.TrySetResult(record);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            while (_queue.Reader.TryRead(out var pending))
            {
                pending.Done.TrySetCanceled(stopping);
            }
        }
    }

    private bool IsLost(RaisedCallback callback)
    {
        if (_options.LoseCallback?.Invoke(callback.Body) == true)
        {
            return true;
        }
        var rate = _options.CallbackLossRate;
        if (rate == 0)
        {
            return false;
        }
        var draws = Volatile.Read(ref _lossDraws);
        if (draws is null)
        {
            draws = _options.CallbackLossSeed is { } seed ? new Random(seed) : new Random();
            Volatile.Write(ref _lossDraws, draws);
        }
        return draws.NextDouble() < rate;
    }

    private async Task<RecordedCallback> PostAsync(RaisedCallback callback, CancellationToken stopping)
    {
        if (IsLost(callback))
        {
            return new RecordedCallback(callback.Command, callback.OptPlatform, callback.Body, null, null, "lost on purpose", Lost: true);
        }
        var url = _options.CallbackUrl;
        if (url is null)
        {
            return new RecordedCallback(callback.Command, callback.OptPlatform, callback.Body, null, null, "no callback URL configured");
        }
        var uri = ImCallbackSigner.BuildUri(url, _options.SdkAppId, callback.Command, callback.OptPlatform, callback.ClientIp,
            _options.CallbackToken, _options.TimeProvider.GetUtcNow().ToUnixTimeSeconds());
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.CallbackTimeout);
        try
        {
            using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(callback.Body, Relaxed)) { Headers = { ContentType = Json } };
            using var response = await _http.PostAsync(uri, content, timeout.Token);
            return new RecordedCallback(callback.Command, callback.OptPlatform, callback.Body, uri, (int)response.StatusCode, null);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new RecordedCallback(callback.Command, callback.OptPlatform, callback.Body, uri, null, $"no answer within {_options.CallbackTimeout}");
        }
        catch (HttpRequestException e)
        {
            return new RecordedCallback(callback.Command, callback.OptPlatform, callback.Body, uri, null, e.Message);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stopping.Dispose();
        _http.Dispose();
    }
}
