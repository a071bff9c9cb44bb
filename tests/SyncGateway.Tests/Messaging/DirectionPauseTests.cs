using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Messaging;

public sealed class DirectionPauseTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task A_paused_direction_holds_its_events_and_the_other_direction_flows()
    {
        var gate = new PauseGate(Options.Create(new SyncOptions()));
        gate.Pause(RelayDirection.LegacyToIm);
        var ran = new List<string>();

        var held = gate.PassAsync(RelayDirection.LegacyToIm, Event("lg-1"), () => { ran.Add("lg-1"); return Task.CompletedTask; }, CancellationToken.None);
        await gate.PassAsync(RelayDirection.ImToLegacy, Event("im-1"), () => { ran.Add("im-1"); return Task.CompletedTask; }, CancellationToken.None);

        Assert.False(held.IsCompleted);
        Assert.Equal(1, gate.Waiting);
        Assert.Equal(_time.GetUtcNow(), gate.OldestInFlight(RelayDirection.LegacyToIm));
        Assert.Null(gate.OldestInFlight(RelayDirection.ImToLegacy));

        gate.Resume(RelayDirection.LegacyToIm);
        await held;

        Assert.Equal(["im-1", "lg-1"], ran);
        Assert.Null(gate.OldestInFlight(RelayDirection.LegacyToIm));
    }

    [Fact]
    public async Task A_pause_after_a_resume_holds_again()
    {
        var gate = new PauseGate(Options.Create(new SyncOptions { Paused = true }));
        gate.Resume();
        gate.Pause(RelayDirection.ImToLegacy);

        var held = gate.PassAsync(RelayDirection.ImToLegacy, null, () => Task.CompletedTask, CancellationToken.None);

        Assert.False(held.IsCompleted);
        gate.Resume(RelayDirection.ImToLegacy);
        await held;
    }

    [Fact]
    public async Task A_flag_written_through_one_replica_sets_the_gate_of_another_and_Sync_Paused_rules_until_then()
    {
        var store = new InMemoryKeyValueStore(_time);
        var gate = new PauseGate(Options.Create(new SyncOptions { Paused = true }));
        var other = new PauseGate(Options.Create(new SyncOptions()));
        var writer = new DirectionPause(store, other, _time, NullLogger<DirectionPause>.Instance);
        using var reader = new DirectionPause(store, gate, _time, NullLogger<DirectionPause>.Instance);
        await reader.StartAsync(CancellationToken.None);
        Assert.True(gate.IsPaused(RelayDirection.ImToLegacy));

        await writer.SetAsync(RelayDirection.ImToLegacy, paused: false);
        await writer.SetAsync(RelayDirection.LegacyToIm, paused: true);
        _time.Advance(DirectionPause.PollInterval);

        await WaitUntilAsync(() => !gate.IsPaused(RelayDirection.ImToLegacy));
        Assert.True(gate.IsPaused(RelayDirection.LegacyToIm));
        Assert.True(other.IsPaused(RelayDirection.LegacyToIm));
        await reader.StopAsync(CancellationToken.None);
    }

    private ImC2CMessageRead Event(string id)
        => new ImC2CMessageRead(new EventMeta(id, "/test", "im.c2c.message.read", "c2c:a:b", _time.GetUtcNow(), _time.GetUtcNow()), new C2CMessageReadData("a", "b", 1));

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition());
    }
}
