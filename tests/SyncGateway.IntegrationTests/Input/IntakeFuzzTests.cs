using System.Net;
using SyncGateway.Fakes.Fuzz;
using SyncGateway.Fakes.Im;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.FromLegacy;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using static SyncGateway.IntegrationTests.FromIm.CallbackBodies;

namespace SyncGateway.IntegrationTests.Input;

/// <summary>
/// Seeded hostile callbacks, deltas and batches against the real host: never a 5xx, never a crash; what is refused
/// publishes nothing; and every event that was accepted reaches the other side or the error queue (none is lost).
/// </summary>
public sealed class IntakeFuzzTests
{
    private const int Seed = 20261203;
    private const int Callbacks = 200;
    private const int DeltaRequests = 100;

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Hostile_input_to_both_intakes_gets_no_5xx_and_loses_no_accepted_event()
    {
        using var outcomes = new OutcomeCounter();
        await using var im = new FakeImServer(new FakeImOptions { SdkAppId = GatewayHost.SdkAppId, CallbackToken = GatewayHost.CallbackToken });
        await im.StartAsync();
        var settings = GatewayHost.ImSettings(im);
        settings["Sync:RetryLimit"] = "3";
        await using var gateway = await GatewayHost.StartAsync(settings);
        var mutator = new InputMutator(Seed);
        var random = new Random(Seed);
        (string Command, string Body)[] callbacks =
        [
            (C2C, C2CMessage("u_f1", "u_f2", 1, "hi")), (GroupCreated, Created("@TGS#f")), (GroupDestroyed, Destroyed("@TGS#f")),
            (GroupInfoChanged, InfoChanged("@TGS#f")), (MemberJoined, Joined("@TGS#f")), (MemberExited, Exited("@TGS#f")),
            (GroupMessage, GroupMsg("@TGS#f", 3)),
        ];
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < Callbacks; i++)
        {
            var (command, body) = callbacks[random.Next(callbacks.Length)];
            statuses.Add((await gateway.PostCallbackAsync(command, mutator.Mutate(body))).StatusCode);
        }
        for (var i = 0; i < DeltaRequests; i++)
        {
            var batch = random.Next(2) == 0;
            var deltas = Enumerable.Range(0, batch ? random.Next(1, 5) : 1).Select(_ => Delta($"lg-fuzz-{i}-{random.Next()}")).ToList();
            var text = mutator.Mutate(batch ? $"[{string.Join(',', deltas)}]" : deltas[0]);
            statuses.Add((await LegacyIngressRefusalTests.PostAsync(gateway, text,
                contentType: batch ? "application/cloudevents-batch+json" : "application/cloudevents+json")).StatusCode);
        }

        Assert.DoesNotContain(statuses, status => (int)status >= 500);
        Assert.Contains(HttpStatusCode.BadRequest, statuses);
        Assert.Contains(statuses, status => status is HttpStatusCode.OK or HttpStatusCode.Accepted);
        await Eventually.AssertAsync(() => Task.FromResult(Settled(outcomes, RelayDirection.ImToLegacy) && Settled(outcomes, RelayDirection.LegacyToIm)), Wait,
            $"every accepted event relayed, applied, dropped as a duplicate or echo, or faulted (published im→legacy {Published(outcomes, RelayDirection.ImToLegacy)}, legacy→im {Published(outcomes, RelayDirection.LegacyToIm)})");
    }

    private static long Published(OutcomeCounter outcomes, RelayDirection direction) => outcomes[direction.Name, SyncTelemetry.Outcomes.Published];

    // The outcomes an event's relay ends in (a retried one counts once it ends). "Ignored" is also what the IM intake
    // counts for callbacks it does not publish, so it is terminal only towards IM, where the relay records it.
    private static bool Settled(OutcomeCounter outcomes, RelayDirection direction)
        => Published(outcomes, direction) == new[]
        {
            direction.DeliveredOutcome, SyncTelemetry.Outcomes.Duplicate, SyncTelemetry.Outcomes.SuppressedEcho, SyncTelemetry.Outcomes.Faulted,
            direction == RelayDirection.LegacyToIm ? SyncTelemetry.Outcomes.Ignored : null,
        }.OfType<string>().Sum(outcome => outcomes[direction.Name, outcome]);

    private static string Delta(string id) => $$$"""
        {"specversion":"1.0","id":"{{{id}}}","source":"/legacy","type":"legacy.c2c.message.sent",
         "data":{"from":"u_f1","to":"u_f2","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"hello"}}]}}
        """;
}
