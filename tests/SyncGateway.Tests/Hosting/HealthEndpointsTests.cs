using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using SyncGateway.Hosting;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.Tests.Hosting;

public sealed class HealthEndpointsTests
{
    [Fact]
    public async Task Live_answers_200_with_JSON_while_Redis_is_down()
    {
        await using var app = await Start(redisAnswers: false);

        using var response = await app.GetTestClient().GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Healthy", (await Body(response)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_stays_200_while_Redis_does_not_answer_and_the_body_says_so()
    {
        await using var app = await Start(redisAnswers: false);

        using var response = await app.GetTestClient().GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Body(response);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var redis = body.GetProperty("checks").GetProperty("redis");
        Assert.Equal("Unhealthy", redis.GetProperty("status").GetString());
        Assert.Equal("Redis does not answer", redis.GetProperty("description").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("intake").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Ready_answers_503_when_the_bus_is_not_connected_and_there_is_no_spool()
    {
        await using var app = await Start(redisAnswers: true);
        app.Services.GetRequiredService<BrokerState>().BusHealth(connected: false);

        using var response = await app.GetTestClient().GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var checks = (await Body(response)).GetProperty("checks");
        Assert.Equal("the bus is not running", checks.GetProperty("intake").GetProperty("description").GetString());
        Assert.Equal("not connected", checks.GetProperty("broker").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Ready_answers_503_once_shutdown_has_begun_while_live_stays_200()
    {
        await using var app = await Start(redisAnswers: true);
        await app.Services.GetRequiredService<GracefulShutdown>().StoppingAsync(CancellationToken.None);

        using var ready = await app.GetTestClient().GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var live = await app.GetTestClient().GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("shutting down", (await Body(ready)).GetProperty("checks").GetProperty("intake").GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    private static async Task<WebApplication> Start(bool redisAnswers)
    {
        var store = Substitute.For<IKeyValueStore>();
        store.PingAsync(Arg.Any<CancellationToken>()).Returns(redisAnswers);
        var logs = new LogCapture();
        return await TestWebHost.StartAsync(logs, builder =>
        {
            builder.Services.AddSingleton(store);
            builder.Configuration["Shutdown:DrainDelaySeconds"] = "0";
        });
    }

    private static async Task<JsonElement> Body(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
