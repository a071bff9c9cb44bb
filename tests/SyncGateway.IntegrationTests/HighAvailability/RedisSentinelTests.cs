using System.Net;
using System.Text.Json.Nodes;
using SyncGateway.Fakes;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.HighAvailability;

/// <summary>The gateway on a Redis watched by Sentinel, with <c>Redis:Configuration</c> naming the Sentinel and the service.</summary>
public sealed class RedisSentinelTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Relays_both_ways_and_suppresses_echoes_before_and_after_Sentinel_promotes_the_replica()
    {
        await using var sentinel = await PrivateSentinel.StartAsync();
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.Fingerprint, new Dictionary<string, string?> { ["Redis:Configuration"] = sentinel.Configuration });

        await ExchangeAsync(sync, outcomes, "before");
        await sentinel.FailOverAsync();
        await ExchangeAsync(sync, outcomes, "after");

        Assert.Equal(["from IM before", "from IM after"], sync.Gateway.Legacy.Received.Select(e => Text(e.Data)));
        Assert.Equal(["from legacy before", "from legacy after"], sync.Im.GetC2CMessages("u_1", "u_2").Where(m => m.From == "u_2").Select(m => (string)m.MsgBody[0]!["MsgContent"]!["Text"]!));
    }

    /// <summary>One message each way; each one's echo must come back and be suppressed.</summary>
    private static async Task ExchangeAsync(TwoWaySync sync, OutcomeCounter outcomes, string round)
    {
        var (suppressedAtIm, suppressedAtLegacy) = (outcomes[RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho], outcomes[RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho]);
        await sync.Im.SimulateUserC2CMessageAsync("u_1", "u_2", $"from IM {round}");
        using var answer = await sync.Legacy.SendAsync(LegacyDeltaSender.Delta("legacy.c2c.message.sent", $"lg-{round}",
            new JsonObject { ["from"] = "u_2", ["to"] = "u_1", ["body"] = new JsonArray(new JsonObject { ["msgType"] = "TIMTextElem", ["msgContent"] = new JsonObject { ["Text"] = $"from legacy {round}" } }) }));
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);

        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho, suppressedAtIm + 1, Wait);
        await outcomes.WaitForAsync(RelayDirection.LegacyToIm.Name, SyncTelemetry.Outcomes.SuppressedEcho, suppressedAtLegacy + 1, Wait);
    }

    private static string Text(System.Text.Json.JsonElement data) => data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString()!;
}
