using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
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
    public async Task Ready_answers_503_and_names_the_failing_check_while_Redis_does_not_answer()
    {
        await using var app = await Start(redisAnswers: false);

        using var response = await app.GetTestClient().GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var redis = (await Body(response)).GetProperty("checks").GetProperty("redis");
        Assert.Equal("Unhealthy", redis.GetProperty("status").GetString());
        Assert.Equal("Redis does not answer", redis.GetProperty("description").GetString());
    }

    [Fact]
    public async Task Ready_answers_200_when_every_ready_check_passes()
    {
        await using var app = await Start(redisAnswers: true);

        using var response = await app.GetTestClient().GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", (await Body(response)).GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
    }

    private static async Task<WebApplication> Start(bool redisAnswers)
    {
        var store = Substitute.For<IKeyValueStore>();
        store.PingAsync(Arg.Any<CancellationToken>()).Returns(redisAnswers);
        var logs = new LogCapture();
        return await TestWebHost.StartAsync(logs, builder => builder.Services.AddSingleton(store));
    }

    private static async Task<JsonElement> Body(HttpResponseMessage response)
        => JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
