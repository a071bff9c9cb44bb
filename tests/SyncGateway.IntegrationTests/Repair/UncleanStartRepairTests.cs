using StackExchange.Redis;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Infrastructure;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.Repair;

/// <summary>
/// A gateway process killed with <c>kill -9</c> leaves its heartbeat next to the spool; its successor repairs the 1:1
/// history from then on by itself, so a message sent while no process listened reaches legacy, once, marked repaired.
/// </summary>
public sealed class UncleanStartRepairTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_successor_of_a_killed_process_repairs_the_1to1_messages_whose_callbacks_met_no_one()
    {
        await using var gateway = await RestartableGateway.CreateAsync(overrides: new Dictionary<string, string?>
        {
            ["Repair:Enabled"] = "true",
            ["Repair:IntervalSeconds"] = "1",
            ["Repair:GracePeriodSeconds"] = "2",
        });
        var im = gateway.Im;
        im.Options.CallbackUrl = new Uri(gateway.BaseAddress, "/im/callbacks");
        im.SeedAccounts("u_a", "u_b");
        await gateway.StartReadyAsync();
        await im.SimulateUserC2CMessageAsync("u_a", "u_b", "before the crash");
        await Eventually.AssertAsync(() => Task.FromResult(Count(gateway.Legacy, "before the crash") == 1), Wait, "relayed before the crash");
        // Killed only once the relay has recorded the delivery: a kill between legacy's answer and that record would
        // deliver it again (at least once, legacy dedupes by id), which is not what this test is about.
        var relayed = gateway.Legacy.Received.Single(e => e.MessageText == "before the crash").Id;
        using (var redis = await ConnectionMultiplexer.ConnectAsync(LocalServices.Redis))
        {
            await Eventually.AssertAsync(() => redis.GetDatabase().KeyExistsAsync(gateway.KeyPrefix + "delivered:" + relayed), Wait, "delivery recorded");
        }

        await gateway.Current.KillAsync();
        await im.SimulateUserC2CMessageAsync("u_b", "u_a", "while no one listened");
        Assert.False(im.Callbacks[^1].Delivered);
        await gateway.StartReadyAsync();

        await Eventually.AssertAsync(() => Task.FromResult(Count(gateway.Legacy, "while no one listened") == 1), Wait, "repaired after the restart");
        var repaired = gateway.Legacy.Received.Single(e => e.MessageText == "while no one listened");
        Assert.True(repaired.Event.GetProperty("syncrepaired").GetBoolean());
        Assert.Equal(1, Count(gateway.Legacy, "before the crash"));
        Assert.Contains(gateway.LogEvents(), e => e.TryGetProperty("@m", out var m) && m.GetString()!.Contains("did not stop cleanly", StringComparison.Ordinal));
    }

    private static int Count(FakeLegacyServer legacy, string text)
        => legacy.Received.Count(e => e.Type == "im.c2c.message.sent" && e.MessageText == text);
}
