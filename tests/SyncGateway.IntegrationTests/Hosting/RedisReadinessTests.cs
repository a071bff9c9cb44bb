using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using SyncGateway.Hosting;
using SyncGateway.Store;

namespace SyncGateway.IntegrationTests.Hosting;

/// <summary>Readiness against the real Redis store: the local server, and a port where nothing listens.</summary>
public sealed class RedisReadinessTests
{
    private static readonly string Redis = Environment.GetEnvironmentVariable("SYNCGW_TEST_REDIS") ?? "127.0.0.1:6379";

    [Fact]
    public async Task Ready_answers_200_while_Redis_answers()
    {
        await using var app = await StartAsync(Redis);

        var (status, redis) = await ReadyAsync(app);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", redis);
    }

    [Fact]
    public async Task Ready_answers_503_while_Redis_is_unreachable_and_live_stays_200()
    {
        await using var app = await StartAsync($"127.0.0.1:{UnusedPort()},connectTimeout=500");

        var (status, redis) = await ReadyAsync(app);
        using var live = await app.GetTestClient().GetAsync(new Uri(HealthEndpoints.LivePath, UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", redis);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    private static async Task<WebApplication> StartAsync(string redisConfiguration)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:Configuration"] = redisConfiguration });
        builder.AddStore();
        builder.AddHealth();
        var app = builder.Build();
        app.MapHealth();
        await app.StartAsync();
        return app;
    }

    private static async Task<(HttpStatusCode Status, string? Redis)> ReadyAsync(WebApplication app)
    {
        using var response = await app.GetTestClient().GetAsync(new Uri(HealthEndpoints.ReadyPath, UriKind.Relative));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
