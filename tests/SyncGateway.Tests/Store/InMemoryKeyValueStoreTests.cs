using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Store;

public sealed class InMemoryKeyValueStoreTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 15, 6, 0, 0, TimeSpan.Zero));
    private readonly InMemoryKeyValueStore _store;

    public InMemoryKeyValueStoreTests() => _store = new InMemoryKeyValueStore(_time);

    [Fact]
    public async Task Adds_once_per_guard()
    {
        await _store.AddOnceAsync("guard-1", ["tag"], Ttl);
        await _store.AddOnceAsync("guard-1", ["tag"], Ttl);

        Assert.Equal([true], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
        Assert.Equal([false], await _store.TakeOnceAsync("decision-2", ["tag"], Ttl));
    }

    [Fact]
    public async Task Adds_again_under_another_guard()
    {
        await _store.AddOnceAsync("guard-1", ["tag"], Ttl);
        await _store.AddOnceAsync("guard-2", ["tag"], Ttl);

        Assert.Equal([true], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
        Assert.Equal([true], await _store.TakeOnceAsync("decision-2", ["tag"], Ttl));
        Assert.Equal([false], await _store.TakeOnceAsync("decision-3", ["tag"], Ttl));
    }

    [Fact]
    public async Task Takes_one_per_decision_and_repeats_the_decision_without_taking_again()
    {
        await _store.AddOnceAsync("guard-1", ["tag"], Ttl);
        await _store.AddOnceAsync("guard-2", ["tag"], Ttl);

        Assert.Equal([true], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
        Assert.Equal([true], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
        Assert.Equal([true], await _store.TakeOnceAsync("decision-2", ["tag"], Ttl));
        Assert.Equal([false], await _store.TakeOnceAsync("decision-3", ["tag"], Ttl));
    }

    [Fact]
    public async Task Repeats_a_negative_decision_even_after_a_tag_arrives()
    {
        Assert.Equal([false], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
        await _store.AddOnceAsync("guard-1", ["tag"], Ttl);

        Assert.Equal([false], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
        Assert.Equal([true], await _store.TakeOnceAsync("decision-2", ["tag"], Ttl));
    }

    [Fact]
    public async Task Takes_only_the_counters_that_are_above_zero()
    {
        await _store.AddOnceAsync("guard-1", ["b", "d"], Ttl);

        Assert.Equal([false, true, false, true], await _store.TakeOnceAsync("decision-1", ["a", "b", "c", "d"], Ttl));
        Assert.Equal([false, false], await _store.TakeOnceAsync("decision-2", ["b", "d"], Ttl));
    }

    [Fact]
    public async Task Forgets_a_tag_when_it_expires()
    {
        await _store.AddOnceAsync("guard-1", ["tag"], Ttl);

        _time.Advance(Ttl + TimeSpan.FromSeconds(1));

        Assert.Equal([false], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
    }

    [Fact]
    public async Task Keeps_a_tag_until_it_expires()
    {
        await _store.AddOnceAsync("guard-1", ["tag"], Ttl);

        _time.Advance(Ttl - TimeSpan.FromSeconds(1));

        Assert.Equal([true], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
    }

    [Fact]
    public async Task Renews_the_time_to_live_of_a_counter_when_a_tag_is_added()
    {
        await _store.AddOnceAsync("guard-1", ["tag"], Ttl);
        _time.Advance(TimeSpan.FromSeconds(8));
        await _store.AddOnceAsync("guard-2", ["tag"], Ttl);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal([true], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
        Assert.Equal([true], await _store.TakeOnceAsync("decision-2", ["tag"], Ttl));
    }

    [Fact]
    public async Task Decides_anew_once_a_decision_expires()
    {
        await _store.AddOnceAsync("guard-1", ["tag"], TimeSpan.FromMinutes(10));
        await _store.AddOnceAsync("guard-2", ["tag"], TimeSpan.FromMinutes(10));
        Assert.Equal([true], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));

        _time.Advance(Ttl + TimeSpan.FromSeconds(1));

        Assert.Equal([true], await _store.TakeOnceAsync("decision-1", ["tag"], Ttl));
        Assert.Equal([false], await _store.TakeOnceAsync("decision-2", ["tag"], Ttl));
    }

    [Fact]
    public async Task Keeps_a_marker_for_its_time_to_live()
    {
        await _store.SetAsync("delivered:im-1", Ttl);

        Assert.True(await _store.ExistsAsync("delivered:im-1"));
        Assert.False(await _store.ExistsAsync("delivered:im-2"));

        _time.Advance(Ttl);

        Assert.False(await _store.ExistsAsync("delivered:im-1"));
    }

    [Fact]
    public async Task Keeps_hash_fields_until_the_hash_expires_and_drops_a_hash_whose_last_field_is_deleted()
    {
        await _store.HashSetAsync("hash", [new("a", "1"), new("b", "2")], Ttl);
        await _store.HashDeleteAsync("hash", ["a", "absent"]);

        Assert.Equal(new Dictionary<string, string> { ["b"] = "2" }, await _store.HashGetAllAsync("hash"));

        _time.Advance(Ttl);
        Assert.Empty(await _store.HashGetAllAsync("hash"));

        await _store.HashSetAsync("hash", [new("c", "3")], Ttl);
        await _store.HashDeleteAsync("hash", ["c"]);
        await _store.HashSetAsync("hash", [], Ttl);
        Assert.Empty(await _store.HashGetAllAsync("hash"));
    }

    [Fact]
    public async Task Answers_pings()
        => Assert.True(await _store.PingAsync(CancellationToken.None));
}
