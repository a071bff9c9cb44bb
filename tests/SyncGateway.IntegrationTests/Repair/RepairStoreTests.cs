using SyncGateway.Fakes.Infrastructure;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Store;
using StackExchange.Redis;

namespace SyncGateway.IntegrationTests.Repair;

/// <summary>
/// The gap repair's store operations behave the same on Redis (Lua scripts, sorted sets) as on the embedded store, so
/// the in-memory default and production track holes alike.
/// </summary>
public sealed class RepairStoreTests : IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);

    private readonly List<IDisposable> _connections = [];

    public static TheoryData<string> Stores => ["memory", "redis"];

    public void Dispose() => _connections.ForEach(c => c.Dispose());

    private async Task<IKeyValueStore> CreateAsync(string kind)
    {
        if (kind == "memory")
        {
            return new InMemoryKeyValueStore(TimeProvider.System);
        }
        await TestServices.EnsureStartedAsync();
        var redis = new RedisKeyValueStore(await ConnectionMultiplexer.ConnectAsync(LocalServices.Redis), $"syncgw-test:{Guid.NewGuid():N}:");
        _connections.Add(redis);
        return redis;
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_jump_opens_holes_a_seen_seq_closes_its_hole_and_IM_s_newest_seq_opens_the_tail(string kind)
    {
        var store = await CreateAsync(kind);
        const string key = "repair:seq:{5:g_one:}";

        Assert.Equal(new SequenceChange(0, 0), await store.AdvanceSequenceAsync(key, 9, SequenceMark.Exists, 1_000, 100, Ttl));
        Assert.Null(await store.GetSequenceAsync(key));
        Assert.Equal(new SequenceChange(0, 0), await store.AdvanceSequenceAsync(key, 1, SequenceMark.Seen, 1_000, 100, Ttl));
        Assert.Equal(new SequenceChange(3, 0), await store.AdvanceSequenceAsync(key, 5, SequenceMark.Seen, 2_000, 100, Ttl));
        Assert.Equal(new SequenceChange(0, 0), await store.AdvanceSequenceAsync(key, 3, SequenceMark.Seen, 3_000, 100, Ttl));
        Assert.Equal(new SequenceChange(2, 0), await store.AdvanceSequenceAsync(key, 7, SequenceMark.Exists, 4_000, 100, Ttl));
        Assert.Equal(new SequenceChange(0, 0), await store.AdvanceSequenceAsync(key, 7, SequenceMark.Seen, 5_000, 100, Ttl));

        var state = await store.GetSequenceAsync(key);
        Assert.NotNull(state);
        Assert.Equal(7, state.Highest);
        Assert.Equal(new Dictionary<long, long> { [2] = 2_000, [4] = 2_000, [6] = 4_000 }, state.Holes);
        Assert.Equal(1, await store.CloseHolesAsync(key, [2, 4]));
        Assert.Equal(0, await store.CloseHolesAsync(key, [6]));
        Assert.Empty((await store.GetSequenceAsync(key))!.Holes);
        await store.DeleteAsync(key);
        Assert.Null(await store.GetSequenceAsync(key));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_jump_past_the_cap_opens_only_the_newest_holes_and_counts_the_rest(string kind)
    {
        var store = await CreateAsync(kind);
        const string key = "repair:seq:{5:g_cap:}";
        await store.AdvanceSequenceAsync(key, 10, SequenceMark.Seen, 1_000, 3, Ttl);

        Assert.Equal(new SequenceChange(3, 6), await store.AdvanceSequenceAsync(key, 20, SequenceMark.Seen, 2_000, 3, Ttl));
        Assert.Equal([17L, 18L, 19L], (await store.GetSequenceAsync(key))!.Holes.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Sorted_sets_add_range_and_remove_by_score(string kind)
    {
        var store = await CreateAsync(kind);
        await store.SortedSetAddAsync("repair:test", "a", 30);
        await store.SortedSetAddAsync("repair:test", "b", 10);
        await store.SortedSetAddAsync("repair:test", "b", 40, onlyIfAbsent: true);
        await store.SortedSetAddAsync("repair:test", "c", 20);

        Assert.Equal([new ScoredMember("b", 10), new ScoredMember("c", 20)], await store.SortedSetRangeByScoreAsync("repair:test", 0, 25, 10));
        Assert.Equal([new ScoredMember("b", 10)], await store.SortedSetRangeByScoreAsync("repair:test", 0, 100, 1));
        await store.SortedSetRemoveAsync("repair:test", "b");
        await store.SortedSetRemoveRangeByScoreAsync("repair:test", double.NegativeInfinity, 25);
        Assert.Equal([new ScoredMember("a", 30)], await store.SortedSetRangeByScoreAsync("repair:test", double.NegativeInfinity, double.PositiveInfinity, 10));
    }
}
