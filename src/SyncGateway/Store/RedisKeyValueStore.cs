using StackExchange.Redis;

namespace SyncGateway.Store;

internal sealed class RedisKeyValueStore(IConnectionMultiplexer redis, string keyPrefix) : IKeyValueStore, IDisposable
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
