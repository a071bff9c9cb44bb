namespace SyncGateway.Store;

/// <summary>The embedded default: a process-local store. Not durable, not shared between replicas.</summary>
internal sealed class InMemoryKeyValueStore(TimeProvider time) : IKeyValueStore
{
    private readonly Dictionary<string, (string Value, DateTimeOffset ExpiresAt)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task AddOnceAsync(string guardKey, IReadOnlyList<string> counterKeys, TimeSpan ttl)
    {
        lock (_lock)
        {
            if (Live(guardKey) is not null)
            {
                return Task.CompletedTask;
            }
            var expiresAt = time.GetUtcNow() + ttl;
            _entries[guardKey] = ("1", expiresAt);
            foreach (var key in counterKeys)
            {
                _entries[key] = ((Count(key) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), expiresAt);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<bool>> TakeOnceAsync(string decisionKey, IReadOnlyList<string> counterKeys, TimeSpan decisionTtl)
    {
        lock (_lock)
        {
            var decided = Live(decisionKey);
            if (decided is null)
            {
                var taken = counterKeys.Select(Take).ToArray();
                decided = string.Concat(taken.Select(t => t ? '1' : '0'));
                _entries[decisionKey] = (decided, time.GetUtcNow() + decisionTtl);
            }
            IReadOnlyList<bool> result = [.. counterKeys.Select((_, i) => i < decided.Length && decided[i] == '1')];
            return Task.FromResult(result);
        }
    }

    public Task SetAsync(string key, TimeSpan ttl)
    {
        lock (_lock)
        {
            _entries[key] = ("1", time.GetUtcNow() + ttl);
        }
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string key)
    {
        lock (_lock)
        {
            _entries.Remove(key);
        }
        return Task.CompletedTask;
    }

    public Task<bool> ExistsAsync(string key)
    {
        lock (_lock)
        {
            return Task.FromResult(Live(key) is not null);
        }
    }

    public Task<bool> SetValueAsync(string key, string value, TimeSpan ttl, bool onlyIfAbsent = false)
    {
        lock (_lock)
        {
            if (onlyIfAbsent && Live(key) is not null)
            {
                return Task.FromResult(false);
            }
            _entries[key] = (value, time.GetUtcNow() + ttl);
            return Task.FromResult(true);
        }
    }

    public Task<string?> GetValueAsync(string key)
    {
        lock (_lock)
        {
            return Task.FromResult(Live(key));
        }
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    private bool Take(string key)
    {
        var count = Count(key);
        if (count <= 0)
        {
            return false;
        }
        if (count == 1)
        {
            _entries.Remove(key);
        }
        else
        {
            _entries[key] = ((count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), _entries[key].ExpiresAt);
        }
        return true;
    }

    private long Count(string key) => Live(key) is { } value ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : 0;

    private string? Live(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }
        if (entry.ExpiresAt > time.GetUtcNow())
        {
            return entry.Value;
        }
        _entries.Remove(key);
        return null;
    }
}
