namespace SyncGateway.Store;

/// <summary>The embedded default: a process-local store. Not durable, not shared between replicas.</summary>
internal sealed class InMemoryKeyValueStore(TimeProvider time) : IKeyValueStore
{
    private readonly Dictionary<string, (string Value, DateTimeOffset ExpiresAt)> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Sequence> _sequences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, double>> _sortedSets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (Dictionary<string, string> Fields, DateTimeOffset ExpiresAt)> _hashes = new(StringComparer.Ordinal);
    // Lists that never expire (parked conversations) have DateTimeOffset.MaxValue.
    private readonly Dictionary<string, (List<string> Items, DateTimeOffset ExpiresAt)> _lists = new(StringComparer.Ordinal);
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
            // One key space, as in Redis: whatever kind of value the key holds.
            _entries.Remove(key);
            _sequences.Remove(key);
            _sortedSets.Remove(key);
            _hashes.Remove(key);
            _lists.Remove(key);
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

    public Task<SequenceChange> AdvanceSequenceAsync(string key, long seq, SequenceMark mark, long nowMilliseconds, int maxNewHoles, TimeSpan ttl)
    {
        lock (_lock)
        {
            var seen = mark == SequenceMark.Seen;
            if (LiveSequence(key) is not { } sequence)
            {
                if (seen)
                {
                    _sequences[key] = new Sequence { Highest = seq, ExpiresAt = time.GetUtcNow() + ttl };
                }
                return Task.FromResult(new SequenceChange(0, 0));
            }
            long opened = 0, skipped = 0;
            if (seq > sequence.Highest)
            {
                var (first, last) = (sequence.Highest + 1, seen ? seq - 1 : seq);
                if (last - first + 1 > maxNewHoles)
                {
                    skipped = last - first + 1 - maxNewHoles;
                    first = last - maxNewHoles + 1;
                }
                for (var s = first; s <= last; s++)
                {
                    sequence.Holes[s] = nowMilliseconds;
                    opened++;
                }
                sequence.Highest = seq;
            }
            else if (seen)
            {
                sequence.Holes.Remove(seq);
            }
            sequence.ExpiresAt = time.GetUtcNow() + ttl;
            return Task.FromResult(new SequenceChange(opened, skipped));
        }
    }

    public Task<SequenceState?> GetSequenceAsync(string key)
    {
        lock (_lock)
        {
            return Task.FromResult(LiveSequence(key) is { } s ? new SequenceState(s.Highest, new Dictionary<long, long>(s.Holes)) : null);
        }
    }

    public Task<long> CloseHolesAsync(string key, IReadOnlyCollection<long> seqs)
    {
        lock (_lock)
        {
            if (LiveSequence(key) is not { } sequence)
            {
                return Task.FromResult(0L);
            }
            foreach (var seq in seqs)
            {
                sequence.Holes.Remove(seq);
            }
            return Task.FromResult((long)sequence.Holes.Count);
        }
    }

    public Task SortedSetAddAsync(string key, string member, double score, bool onlyIfAbsent = false)
    {
        lock (_lock)
        {
            if (!_sortedSets.TryGetValue(key, out var set))
            {
                _sortedSets[key] = set = new Dictionary<string, double>(StringComparer.Ordinal);
            }
            if (!onlyIfAbsent || !set.ContainsKey(member))
            {
                set[member] = score;
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ScoredMember>> SortedSetRangeByScoreAsync(string key, double min, double max, int take)
    {
        lock (_lock)
        {
            IReadOnlyList<ScoredMember> range = _sortedSets.TryGetValue(key, out var set)
                ? [.. set.Where(e => e.Value >= min && e.Value <= max).OrderBy(e => e.Value).ThenBy(e => e.Key, StringComparer.Ordinal)
                    .Take(take).Select(e => new ScoredMember(e.Key, e.Value))]
                : [];
            return Task.FromResult(range);
        }
    }

    public Task<long> SortedSetLengthAsync(string key)
    {
        lock (_lock)
        {
            return Task.FromResult(_sortedSets.TryGetValue(key, out var set) ? (long)set.Count : 0);
        }
    }

    public Task SortedSetRemoveAsync(string key, string member)
    {
        lock (_lock)
        {
            if (_sortedSets.TryGetValue(key, out var set))
            {
                set.Remove(member);
            }
        }
        return Task.CompletedTask;
    }

    public Task SortedSetRemoveRangeByScoreAsync(string key, double min, double max)
    {
        lock (_lock)
        {
            if (_sortedSets.TryGetValue(key, out var set))
            {
                foreach (var member in set.Where(e => e.Value >= min && e.Value <= max).Select(e => e.Key).ToList())
                {
                    set.Remove(member);
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task HashSetAsync(string key, IReadOnlyCollection<KeyValuePair<string, string>> fields, TimeSpan ttl)
    {
        lock (_lock)
        {
            var hash = LiveHash(key);
            if (hash is null && fields.Count == 0)
            {
                return Task.CompletedTask;
            }
            hash ??= new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (field, value) in fields)
            {
                hash[field] = value;
            }
            _hashes[key] = (hash, time.GetUtcNow() + ttl);
        }
        return Task.CompletedTask;
    }

    public Task HashDeleteAsync(string key, IReadOnlyCollection<string> fields)
    {
        lock (_lock)
        {
            if (LiveHash(key) is { } hash)
            {
                foreach (var field in fields)
                {
                    hash.Remove(field);
                }
                if (hash.Count == 0)
                {
                    // As Redis does: a hash without fields is no key.
                    _hashes.Remove(key);
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string?>> HashGetAsync(string key, IReadOnlyList<string> fields)
    {
        lock (_lock)
        {
            var hash = LiveHash(key);
            IReadOnlyList<string?> values = [.. fields.Select(f => hash?.GetValueOrDefault(f))];
            return Task.FromResult(values);
        }
    }

    public Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key)
    {
        lock (_lock)
        {
            IReadOnlyDictionary<string, string> fields = LiveHash(key) is { } hash ? new Dictionary<string, string>(hash, StringComparer.Ordinal) : new Dictionary<string, string>();
            return Task.FromResult(fields);
        }
    }

    public Task<long> ListAppendAsync(string key, string value, bool onlyIfExists = false)
    {
        lock (_lock)
        {
            if (LiveList(key) is not { } list)
            {
                if (onlyIfExists)
                {
                    return Task.FromResult(0L);
                }
                _lists[key] = (list = [], DateTimeOffset.MaxValue);
            }
            list.Add(value);
            return Task.FromResult((long)list.Count);
        }
    }

    public Task<long> ListInsertBeforeAsync(string key, string pivot, string value)
    {
        lock (_lock)
        {
            if (LiveList(key) is not { } list)
            {
                return Task.FromResult(0L);
            }
            var at = list.IndexOf(pivot);
            if (at < 0)
            {
                return Task.FromResult(-1L);
            }
            list.Insert(at, value);
            return Task.FromResult((long)list.Count);
        }
    }

    public Task<string?> ListHeadAsync(string key)
    {
        lock (_lock)
        {
            return Task.FromResult(LiveList(key) is { } list ? list[0] : null);
        }
    }

    public Task<long> ListRemoveHeadAsync(string key, string expected)
    {
        lock (_lock)
        {
            if (LiveList(key) is not { } list || list[0] != expected)
            {
                return Task.FromResult(-1L);
            }
            list.RemoveAt(0);
            if (list.Count == 0)
            {
                // As Redis does: an empty list is no key.
                _lists.Remove(key);
            }
            return Task.FromResult((long)list.Count);
        }
    }

    public Task<long> ListLengthAsync(string key)
    {
        lock (_lock)
        {
            return Task.FromResult(LiveList(key) is { } list ? (long)list.Count : 0);
        }
    }

    public Task<bool> PingAsync(CancellationToken cancellationToken) => Task.FromResult(true);

    public Task EnsureReplicatedAsync(IReadOnlyCollection<string> keys) => Task.CompletedTask;

    public Task ListAppendAsync(string key, IReadOnlyList<string> values, TimeSpan ttl)
    {
        lock (_lock)
        {
            var list = LiveList(key) ?? [];
            list.AddRange(values);
            _lists[key] = (list, time.GetUtcNow() + ttl);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListRangeAsync(string key)
    {
        lock (_lock)
        {
            IReadOnlyList<string> items = LiveList(key) is { } list ? [.. list] : [];
            return Task.FromResult(items);
        }
    }

    private List<string>? LiveList(string key)
    {
        if (!_lists.TryGetValue(key, out var list))
        {
            return null;
        }
        if (list.ExpiresAt > time.GetUtcNow())
        {
            return list.Items;
        }
        _lists.Remove(key);
        return null;
    }

    private Dictionary<string, string>? LiveHash(string key)
    {
        if (!_hashes.TryGetValue(key, out var hash))
        {
            return null;
        }
        if (hash.ExpiresAt > time.GetUtcNow())
        {
            return hash.Fields;
        }
        _hashes.Remove(key);
        return null;
    }

    private Sequence? LiveSequence(string key)
    {
        if (!_sequences.TryGetValue(key, out var sequence))
        {
            return null;
        }
        if (sequence.ExpiresAt > time.GetUtcNow())
        {
            return sequence;
        }
        _sequences.Remove(key);
        return null;
    }

    private sealed class Sequence
    {
        public long Highest { get; set; }

        public Dictionary<long, long> Holes { get; } = [];

        public DateTimeOffset ExpiresAt { get; set; }
    }

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
