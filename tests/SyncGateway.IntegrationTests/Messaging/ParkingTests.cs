using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SyncGateway.Fakes;
using SyncGateway.IntegrationTests.FromIm;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.Messaging;

public sealed class ParkingTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_event_legacy_keeps_refusing_parks_its_conversation_while_the_queue_flows_and_drains_in_order_once_legacy_is_fixed()
    {
        // One queue per direction: the two conversations share it, so a held queue would hold both.
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Sync:Shards"] = "1",
            ["Sync:ParkAfterSeconds"] = "2",
            ["Sync:ParkRetryMaxSeconds"] = "2",
        });
        var broken = 1;
        gateway.Legacy.Responder = e => Volatile.Read(ref broken) == 1 && e.GetRawText().Contains("poison", StringComparison.Ordinal) ? 500 : null;
        const string Parked = "c2c:u_park_a:u_park_b";
        const string Flowing = "c2c:u_flow_c:u_flow_d";

        await PostAsync(gateway, "u_park_a", "u_park_b", 1, "poison");
        await PostAsync(gateway, "u_park_a", "u_park_b", 2, "after-1");
        await PostAsync(gateway, "u_park_b", "u_park_a", 3, "after-2");
        var posted = Stopwatch.StartNew();
        await PostAsync(gateway, "u_flow_c", "u_flow_d", 1, "flowing");

        await Eventually.AssertAsync(() => Task.FromResult(gateway.Legacy.Received.Any(e => e.Subject == Flowing)), Patience,
            "the other conversation on the same queue is relayed");
        // The park budget (2 s) plus the legacy client's own attempts, not the minutes of a whole retry budget.
        Assert.True(posted.Elapsed < TimeSpan.FromSeconds(15), $"the other conversation waited {posted.Elapsed}");

        var parking = gateway.Services.GetRequiredService<ConversationParking>();
        await Eventually.AssertAsync(async () => (await parking.ListAsync(RelayDirection.ImToLegacy)).Any(p => p.Conversation == Parked && p.Events == 3), Patience,
            "the failing event's conversation is parked with its later events behind it");
        var parked = Assert.Single(await parking.ListAsync(RelayDirection.ImToLegacy));
        Assert.Equal("im.c2c.message.sent", parked.HeadEventType);
        Assert.Contains("500", parked.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(gateway.Legacy.Received, e => e.Subject == Parked);

        Volatile.Write(ref broken, 0);

        await Eventually.AssertAsync(() => Task.FromResult(gateway.Legacy.Received.Count(e => e.Subject == Parked) >= 3), Patience,
            "the parked conversation drains without an operator once legacy is fixed");
        Assert.Equal(["poison", "after-1", "after-2"], gateway.Legacy.Received.Where(e => e.Subject == Parked).Select(Text));
        await Eventually.AssertAsync(async () => (await parking.ListAsync(RelayDirection.ImToLegacy)).Count == 0, Patience, "the drained conversation is un-parked");

        // Un-parked: the conversation's next event is relayed straight from the queue.
        await PostAsync(gateway, "u_park_a", "u_park_b", 4, "after-fix");
        await Eventually.AssertAsync(() => Task.FromResult(gateway.Legacy.Received.Any(e => e.Subject == Parked && Text(e) == "after-fix")), Patience,
            "a later event of the un-parked conversation is relayed");
    }

    private static async Task PostAsync(GatewayHost gateway, string from, string to, long seq, string text)
    {
        using var answer = await gateway.PostCallbackAsync(CallbackBodies.C2C, CallbackBodies.C2CMessage(from, to, seq, text));
        answer.EnsureSuccessStatusCode();
    }

    private static string Text(ReceivedCloudEvent received)
        => received.Data.GetRawText() is var raw && raw.Contains("poison", StringComparison.Ordinal) ? "poison"
            : new[] { "after-fix", "after-1", "after-2", "flowing" }.First(t => raw.Contains(t, StringComparison.Ordinal));
}
