namespace SyncGateway.Import;

/// <summary>
/// Runs work at most <c>parallelism</c> items at a time; items with the same key run one after another, in the order
/// they were queued, and never hold up items with other keys. At most four items per parallel slot wait, so a
/// producer reading a large file is slowed down instead of buffering it.
/// </summary>
internal sealed class KeyedScheduler(int parallelism) : IDisposable
{
    private readonly int _capacity = parallelism * 4;
    private readonly SemaphoreSlim _running = new(parallelism, parallelism);
    private readonly SemaphoreSlim _queued = new(parallelism * 4, parallelism * 4);
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Queues <paramref name="work"/>, waiting while the queue is full. The work must not throw.</summary>
    public async Task EnqueueAsync(string? key, Func<Task> work, CancellationToken cancellationToken)
    {
        await _queued.WaitAsync(cancellationToken);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var previous = Task.CompletedTask;
        if (key is not null)
        {
            lock (_lock)
            {
                previous = _tails.GetValueOrDefault(key, Task.CompletedTask);
                _tails[key] = done.Task;
            }
        }
        _ = RunAsync(key, previous, done, work);
    }

    /// <summary>Completes when everything queued so far has run.</summary>
    public async Task DrainAsync()
    {
        for (var i = 0; i < _capacity; i++)
        {
            await _queued.WaitAsync(CancellationToken.None);
        }
        _queued.Release(_capacity);
    }

    public void Dispose()
    {
        _running.Dispose();
        _queued.Dispose();
    }

    private async Task RunAsync(string? key, Task previous, TaskCompletionSource done, Func<Task> work)
    {
        try
        {
            await previous;
            await _running.WaitAsync(CancellationToken.None);
            try
            {
                await work();
            }
            finally
            {
                _running.Release();
            }
        }
        finally
        {
            if (key is not null)
            {
                lock (_lock)
                {
                    if (_tails.TryGetValue(key, out var tail) && tail == done.Task)
                    {
                        _tails.Remove(key);
                    }
                }
            }
            done.SetResult();
            _queued.Release();
        }
    }
}
