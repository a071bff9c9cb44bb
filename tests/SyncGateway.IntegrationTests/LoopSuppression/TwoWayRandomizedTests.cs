using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.LoopSuppression;

public sealed class TwoWayRandomizedTests
{
    private const int Events = 2000;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    /// <summary>
    /// Users on both sides write into the same conversations at once; the legacy system reports everything it
    /// receives back (some echoes with syncorigin, some without), IM calls back for every write of the gateway, and
    /// the legacy system re-sends some deltas. At the end each side holds exactly what it should, in order.
    /// </summary>
    [Fact]
    public async Task Both_directions_at_once_end_with_no_echo_no_loss_and_no_duplicate()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.Mixed);

        await RunAsync(sync, outcomes, Events);
    }

    /// <summary>Both rounds of <see cref="TwoWayRandomized"/>, with every message and change exactly once at the other side.</summary>
    internal static async Task RunAsync(TwoWaySync sync, OutcomeCounter outcomes, int events)
    {
        var run = await TwoWayRandomized.StartAsync(sync, outcomes);

        var round = await run.SendMessagesAsync(events, Limit, quiet: TimeSpan.FromSeconds(2));

        Assert.Equal(round with { Missing = 0, OutOfOrder = 0, EchoesToLegacy = 0, EchoesIntoIm = 0, RepeatsAtLegacy = 0, RepeatsWithOtherId = 0, RepeatsInIm = 0 }, round);
        // Every relay to legacy came back as an echo delta, every write to IM as a callback: all were suppressed.
        Assert.True(outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho] >= TwoWayRandomized.Groups + round.FromIm);
        Assert.True(outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho] >= round.FromLegacy);
        Assert.Equal(0, outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.Faulted] + outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Faulted]);
        Assert.True(outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.Duplicate] > 0, "some deltas were re-sent and dropped as duplicates");

        await run.ChangeEverythingElseAsync(Limit);
    }
}
