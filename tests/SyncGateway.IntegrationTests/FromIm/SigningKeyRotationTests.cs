using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using static SyncGateway.IntegrationTests.FromIm.CallbackBodies;

namespace SyncGateway.IntegrationTests.FromIm;

/// <summary>
/// Rotating the key the gateway signs its events with, without downtime: configured with the old and the new secret,
/// the gateway signs every event with both, so a legacy receiver verifies it whether it has switched over yet or not.
/// The fake legacy receiver verifies with its own code and knows only <see cref="GatewayHost.SigningSecret"/>.
/// </summary>
public sealed class SigningKeyRotationTests
{
    private const string ReceiverSecret = GatewayHost.SigningSecret;
    private const string OtherSecret = "whsec_YW5vdGhlci1zaWduaW5nLXNlY3JldC1pbi1yb3RhdGlvbg==";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(ReceiverSecret + " " + OtherSecret)]
    [InlineData(OtherSecret + " " + ReceiverSecret)]
    public async Task A_receiver_that_knows_only_one_of_the_gateways_signing_secrets_verifies_its_events(string signingSecrets)
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Legacy:SigningSecret"] = signingSecrets });

        await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 21, "signed twice"));

        var received = Assert.Single(await gateway.Legacy.WaitForAsync(1, Wait));
        Assert.Equal(received.Id, received.WebhookId);
        Assert.Equal(1, gateway.Legacy.Attempts);
    }

    [Fact]
    public async Task A_receiver_that_knows_none_of_the_gateways_signing_secrets_refuses_its_events()
    {
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Legacy:SigningSecret"] = OtherSecret });

        await gateway.PostCallbackAsync(C2C, C2CMessage("u_1", "u_2", 22, "signed with a key legacy does not know"));

        await Eventually.AssertAsync(async () => (await gateway.FaultsAsync(RelayDirection.ImToLegacy)).Count == 1,
            Wait, "the event legacy refused with 401 is faulted");
        Assert.Equal(0, gateway.Legacy.Accepted);
    }
}
