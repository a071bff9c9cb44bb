using Microsoft.Extensions.DependencyInjection;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.Admin;

/// <summary>A pause through one replica holds on every replica, through the store flag each one reads.</summary>
public sealed class DirectionPauseTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_pause_through_one_replica_holds_on_both_and_a_resume_releases_both()
    {
        await using var first = await GatewayHost.StartAsync();
        await using var second = await GatewayHost.StartReplicaAsync(first);
        var firstGate = first.Services.GetRequiredService<PauseGate>();
        var secondGate = second.Services.GetRequiredService<PauseGate>();

        await first.Services.GetRequiredService<DirectionPause>().SetAsync(RelayDirection.LegacyToIm, paused: true);

        Assert.True(firstGate.IsPaused(RelayDirection.LegacyToIm));
        await Eventually.AssertAsync(() => Task.FromResult(secondGate.IsPaused(RelayDirection.LegacyToIm)), Wait, "the other replica holds legacy-to-im");
        Assert.False(firstGate.IsPaused(RelayDirection.ImToLegacy));
        Assert.False(secondGate.IsPaused(RelayDirection.ImToLegacy));

        await second.Services.GetRequiredService<DirectionPause>().SetAsync(RelayDirection.LegacyToIm, paused: false);

        await Eventually.AssertAsync(() => Task.FromResult(!firstGate.IsPaused(RelayDirection.LegacyToIm)), Wait, "the first replica lets legacy-to-im through again");
        Assert.False(secondGate.IsPaused(RelayDirection.LegacyToIm));
    }

    [Fact]
    public async Task A_replica_started_while_a_direction_is_paused_holds_it_too()
    {
        await using var first = await GatewayHost.StartAsync();
        await first.Services.GetRequiredService<DirectionPause>().SetAsync(RelayDirection.ImToLegacy, paused: true);

        await using var second = await GatewayHost.StartReplicaAsync(first);

        await Eventually.AssertAsync(() => Task.FromResult(second.Services.GetRequiredService<PauseGate>().IsPaused(RelayDirection.ImToLegacy)), Wait, "the new replica holds im-to-legacy");
    }
}
