using System.Globalization;
using StackExchange.Redis;

namespace SyncGateway.Store;

/// <param name="redis">The connection, to a standalone Redis, a Sentinel-managed master or a Redis Cluster.</param>
/// <param name="keyPrefix"><c>Redis:KeyPrefix</c>, before every key.</param>
/// <param name="waitReplicas"><c>Redis:WaitReplicas</c>: replicas <see cref="EnsureReplicatedAsync"/> waits for (0 = none).</param>
/// <param name="waitTimeout"><c>Redis:WaitTimeoutMilliseconds</c>: how long it waits.</param>
internal sealed class RedisKeyValueStore(IConnectionMultiplexer redis, string keyPrefix, int waitReplicas = 0, int waitTimeout = 500) : IKeyValueStore, IDisposable
{
    // KEYS[1] = guard, KEYS[2..] = counters; ARGV[1] = ttl ms.
    private const string AddOnceScript = """
        if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) == false then return 0 end
        for i = 2, #KEYS do
          redis.call('INCR', KEYS[i])
          redis.call('PEXPIRE', KEYS[i], ARGV[1])
        end
        return 1
        """;

    // KEYS[1] = decision, KEYS[2..] = counters; ARGV[1] = decision ttl ms. Returns a string of '0'/'1' per counter.
    private const string TakeOnceScript = """
        local decided = redis.call('GET', KEYS[1])
        if decided then return decided end
        local taken = ''
        for i = 2, #KEYS do
          local v = tonumber(redis.call('GET', KEYS[i]) or '0')
          if v > 0 then
            if v == 1 then redis.call('DEL', KEYS[i]) else redis.call('DECR', KEYS[i]) end
            taken = taken .. '1'
          else
            taken = taken .. '0'
          end
        end
        redis.call('SET', KEYS[1], taken, 'PX', ARGV[1])
        return taken
        """;

    // KEYS[1] = sequence hash ('h' = highest seq, '<seq>' = hole found at ms); ARGV: seq, mark ('seen'|'exists'),
    // now ms, cap of new holes, ttl ms. Returns {opened, skipped}.
    private const string AdvanceSequenceScript = """
        local seq = tonumber(ARGV[1])
        local seen = ARGV[2] == 'seen'
        local highest = tonumber(redis.call('HGET', KEYS[1], 'h') or '-1')
        local opened, skipped = 0, 0
        if highest < 0 then
          if not seen then return {0, 0} end
          redis.call('HSET', KEYS[1], 'h', ARGV[1])
        elseif seq > highest then
          local first, last = highest + 1, seq
          if seen then last = seq - 1 end
          local cap = tonumber(ARGV[4])
          if last - first + 1 > cap then
            skipped = last - first + 1 - cap
            first = last - cap + 1
          end
          for s = first, last do
            redis.call('HSET', KEYS[1], string.format('%d', s), ARGV[3])
            opened = opened + 1
          end
          redis.call('HSET', KEYS[1], 'h', ARGV[1])
        elseif seen then
          redis.call('HDEL', KEYS[1], ARGV[1])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return {opened, skipped}
        """;

    // KEYS[1] = sequence hash; ARGV = seqs to close. Returns the holes left open.
    private const string CloseHolesScript = """
        for i = 1, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
        local left = redis.call('HLEN', KEYS[1])
        if left > 0 and redis.call('HEXISTS', KEYS[1], 'h') == 1 then left = left - 1 end
        return left
        """;

    // KEYS[1] = list; ARGV[1] = the head expected. Returns the length left, -1 when the head is another element.
    private const string RemoveHeadScript = """
        if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[1] then return -1 end
        redis.call('LPOP', KEYS[1])
        return redis.call('LLEN', KEYS[1])
        """;

    private IDatabase Db => redis.GetDatabase();

    private RedisKey Key(string key) => keyPrefix + key;

    public Task AddOnceAsync(string guardKey, IReadOnlyList<string> counterKeys, TimeSpan ttl)
        => Db.ScriptEvaluateAsync(AddOnceScript, Keys(guardKey, counterKeys), [(long)ttl.TotalMilliseconds]);

    public async Task<IReadOnlyList<bool>> TakeOnceAsync(string decisionKey, IReadOnlyList<string> counterKeys, TimeSpan decisionTtl)
    {
        var taken = (string?)await Db.ScriptEvaluateAsync(TakeOnceScript, Keys(decisionKey, counterKeys), [(long)decisionTtl.TotalMilliseconds]) ?? "";
        return [.. counterKeys.Select((_, i) => i < taken.Length && taken[i] == '1')];
    }

    public Task SetAsync(string key, TimeSpan ttl) => Db.StringSetAsync(Key(key), "1", ttl);

    public Task<bool> ExistsAsync(string key) => Db.KeyExistsAsync(Key(key));

    public Task DeleteAsync(string key) => Db.KeyDeleteAsync(Key(key));

    public Task<bool> SetValueAsync(string key, string value, TimeSpan ttl, bool onlyIfAbsent = false)
        => Db.StringSetAsync(Key(key), value, ttl, onlyIfAbsent ? When.NotExists : When.Always);

    public async Task<string?> GetValueAsync(string key) => await Db.StringGetAsync(Key(key));

    public async Task<SequenceChange> AdvanceSequenceAsync(string key, long seq, SequenceMark mark, long nowMilliseconds, int maxNewHoles, TimeSpan ttl)
    {
        var result = (long[]?)await Db.ScriptEvaluateAsync(AdvanceSequenceScript, [Key(key)],
            [seq, mark == SequenceMark.Seen ? "seen" : "exists", nowMilliseconds, maxNewHoles, (long)ttl.TotalMilliseconds]) ?? [0, 0];
        return new SequenceChange(result[0], result[1]);
    }

    public async Task<SequenceState?> GetSequenceAsync(string key)
    {
        var entries = await Db.HashGetAllAsync(Key(key));
        return entries.Length == 0 ? null : SequenceState.From(entries.Select(e => ((string)e.Name!, (long)e.Value)));
    }

    public async Task<long> CloseHolesAsync(string key, IReadOnlyCollection<long> seqs)
        => (long)await Db.ScriptEvaluateAsync(CloseHolesScript, [Key(key)], [.. seqs.Select(s => (RedisValue)s)]);

    public Task SortedSetAddAsync(string key, string member, double score, bool onlyIfAbsent = false)
        => Db.SortedSetAddAsync(Key(key), member, score, onlyIfAbsent ? SortedSetWhen.NotExists : SortedSetWhen.Always);

    public async Task<IReadOnlyList<ScoredMember>> SortedSetRangeByScoreAsync(string key, double min, double max, int take)
        => [.. (await Db.SortedSetRangeByScoreWithScoresAsync(Key(key), min, max, take: take)).Select(e => new ScoredMember((string)e.Element!, e.Score))];

    public Task<long> SortedSetLengthAsync(string key) => Db.SortedSetLengthAsync(Key(key));

    public Task SortedSetRemoveAsync(string key, string member) => Db.SortedSetRemoveAsync(Key(key), member);

    public Task SortedSetRemoveRangeByScoreAsync(string key, double min, double max) => Db.SortedSetRemoveRangeByScoreAsync(Key(key), min, max);

    public async Task HashSetAsync(string key, IReadOnlyCollection<KeyValuePair<string, string>> fields, TimeSpan ttl)
    {
        if (fields.Count == 0)
        {
            await Db.KeyExpireAsync(Key(key), ttl);
            return;
        }
        // One key, so a transaction is Redis-Cluster-safe: the fields never outlive their time to live.
        var transaction = Db.CreateTransaction();
        var set = transaction.HashSetAsync(Key(key), [.. fields.Select(f => new HashEntry(f.Key, f.Value))]);
        var expire = transaction.KeyExpireAsync(Key(key), ttl);
        await transaction.ExecuteAsync();
        await Task.WhenAll(set, expire);
    }

    public Task HashDeleteAsync(string key, IReadOnlyCollection<string> fields)
        => fields.Count == 0 ? Task.CompletedTask : Db.HashDeleteAsync(Key(key), [.. fields.Select(f => (RedisValue)f)]);

    public async Task<IReadOnlyList<string?>> HashGetAsync(string key, IReadOnlyList<string> fields)
        => fields.Count == 0 ? [] : [.. (await Db.HashGetAsync(Key(key), [.. fields.Select(f => (RedisValue)f)])).Select(v => (string?)v)];

    public async Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key)
        => (await Db.HashGetAllAsync(Key(key))).ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);

    public async Task ListAppendAsync(string key, IReadOnlyList<string> values, TimeSpan ttl)
    {
        // One key, so a transaction is Redis-Cluster-safe: the list never outlives its time to live.
        var transaction = Db.CreateTransaction();
        var push = transaction.ListRightPushAsync(Key(key), [.. values.Select(v => (RedisValue)v)]);
        var expire = transaction.KeyExpireAsync(Key(key), ttl);
        await transaction.ExecuteAsync();
        await Task.WhenAll(push, expire);
    }

    public async Task<IReadOnlyList<string>> ListRangeAsync(string key)
        => [.. (await Db.ListRangeAsync(Key(key))).Select(v => (string)v!)];

    public Task<long> ListAppendAsync(string key, string value, bool onlyIfExists = false)
        => Db.ListRightPushAsync(Key(key), value, onlyIfExists ? When.Exists : When.Always);

    public Task<long> ListInsertBeforeAsync(string key, string pivot, string value) => Db.ListInsertBeforeAsync(Key(key), pivot, value);

    public async Task<string?> ListHeadAsync(string key) => await Db.ListGetByIndexAsync(Key(key), 0);

    public async Task<long> ListRemoveHeadAsync(string key, string expected)
        => (long)await Db.ScriptEvaluateAsync(RemoveHeadScript, [Key(key)], [expected]);

    public Task<long> ListLengthAsync(string key) => Db.ListLengthAsync(Key(key));

    public async Task EnsureReplicatedAsync(IReadOnlyCollection<string> keys)
    {
        if (waitReplicas == 0)
        {
            return;
        }
        // WAIT counts the writes of the connection it is sent on: the multiplexer's one connection to each key's node.
        foreach (var server in keys.Select(key => redis.GetServer(Key(key))).DistinctBy(server => server.EndPoint))
        {
            var acknowledged = (long)await server.ExecuteAsync("WAIT", waitReplicas, waitTimeout);
            if (acknowledged < waitReplicas)
            {
                throw new RedisException(string.Create(CultureInfo.InvariantCulture,
                    $"only {acknowledged} of Redis:WaitReplicas={waitReplicas} replicas of {server.EndPoint} acknowledged the write within {waitTimeout} ms"));
            }
        }
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Db.PingAsync().WaitAsync(cancellationToken);
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public void Dispose() => redis.Dispose();

    private RedisKey[] Keys(string first, IReadOnlyList<string> rest)
    {
        var keys = new RedisKey[rest.Count + 1];
        keys[0] = Key(first);
        for (var i = 0; i < rest.Count; i++)
        {
            keys[i + 1] = Key(rest[i]);
        }
        return keys;
    }
}
