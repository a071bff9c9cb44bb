using System.Net;
using System.Text.Json;
using SyncGateway.Hosting;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.Hosting;

/// <summary>Readiness of the real gateway while its own Redis goes away and comes back.</summary>
public sealed class RedisReadinessTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ready_goes_503_while_Redis_is_down_and_200_once_it_is_back_while_live_stays_200()
    {
        await using var redis = await PrivateRedis.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = redis.Configuration,
        });
        await Eventually.AssertAsync(async () => (await ReadyAsync(gateway)).Status == HttpStatusCode.OK, Wait, "ready while Redis answers");

        await redis.StopAsync();

        await Eventually.AssertAsync(async () => (await ReadyAsync(gateway)).Status == HttpStatusCode.ServiceUnavailable, Wait, "not ready once Redis is down");
        var (_, checks) = await ReadyAsync(gateway);
        Assert.Equal("Unhealthy", checks["redis"]);
        Assert.All(checks.Where(c => c.Key != "redis"), c => Assert.Equal("Healthy", c.Value));
        Assert.Equal(HttpStatusCode.OK, (await gateway.Client.GetAsync(HealthEndpoints.LivePath)).StatusCode);

        await redis.RestartAsync();

        await Eventually.AssertAsync(async () => (await ReadyAsync(gateway)).Status == HttpStatusCode.OK, Wait, "ready again once Redis is back");
        Assert.Equal("Healthy", (await ReadyAsync(gateway)).Checks["redis"]);
    }

    private static async Task<(HttpStatusCode Status, Dictionary<string, string?> Checks)> ReadyAsync(GatewayHost gateway)
    {
        using var response = await gateway.Client.GetAsync(HealthEndpoints.ReadyPath);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks").EnumerateObject()
            .ToDictionary(check => check.Name, check => check.Value.GetProperty("status").GetString());
        return (response.StatusCode, checks);
    }
}
