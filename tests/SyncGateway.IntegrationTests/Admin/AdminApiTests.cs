using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.Admin;

/// <summary>The admin API on a real gateway process: its own port, bearer tokens, the public port knows nothing of it.</summary>
public sealed class AdminApiTests
{
    private const string OpsToken = "ops-token-0123456789abcdef";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Answers_only_on_its_own_port_and_only_with_a_valid_token()
    {
        var adminPort = LoopbackPorts.Free();
        await using var gateway = await RestartableGateway.CreateAsync(overrides: new Dictionary<string, string?>
        {
            ["Admin:Urls"] = $"http://127.0.0.1:{adminPort}",
            ["Admin:Tokens:ops"] = OpsToken,
        });
        await gateway.StartReadyAsync();
        using var publicHttp = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var adminHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };

        using var onPublicPort = await publicHttp.SendAsync(Get("/admin/status", OpsToken));
        using var withoutToken = await adminHttp.SendAsync(Get("/admin/status", null));
        using var wrongToken = await adminHttp.SendAsync(Get("/admin/status", "ops-token-0123456789abcdeX"));
        using var healthOnAdminPort = await adminHttp.SendAsync(Get("/health/live", OpsToken));
        using var status = await adminHttp.SendAsync(Get("/admin/status", OpsToken));
        using var openApi = await adminHttp.SendAsync(Get("/admin/openapi/admin.json", OpsToken));
        using var unknownEvent = await adminHttp.SendAsync(Get("/admin/events/no-such-event", OpsToken));

        Assert.Equal(HttpStatusCode.NotFound, onPublicPort.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Equal("application/problem+json", withoutToken.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, healthOnAdminPort.StatusCode);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var directions = JsonDocument.Parse(await status.Content.ReadAsStringAsync()).RootElement.GetProperty("directions");
        Assert.Equal(["im-to-legacy", "legacy-to-im"], directions.EnumerateArray().Select(d => d.GetProperty("direction").GetString()));
        Assert.All(directions.EnumerateArray(), d =>
        {
            Assert.Equal(0, d.GetProperty("queueDepth").GetInt64());
            Assert.True(d.GetProperty("consumers").GetInt64() > 0);
            Assert.Equal(0, d.GetProperty("parked").GetInt64());
        });
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        Assert.Contains("/admin/events/{id}", await openApi.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownEvent.StatusCode);
        Assert.Equal("application/problem+json", unknownEvent.Content.Headers.ContentType?.MediaType);
        await Eventually.AssertAsync(
            () => Task.FromResult(gateway.LogEvents().Any(e => e.GetRawText().Contains("\"Caller\":\"ops\"", StringComparison.Ordinal))),
            Wait, "the audit line names the token");
        Assert.DoesNotContain(gateway.LogEvents(), e => e.GetRawText().Contains(OpsToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pauses_and_resumes_a_direction_and_the_status_shows_it()
    {
        var adminPort = LoopbackPorts.Free();
        await using var gateway = await RestartableGateway.CreateAsync(overrides: new Dictionary<string, string?>
        {
            ["Admin:Urls"] = $"http://127.0.0.1:{adminPort}",
            ["Admin:Token"] = OpsToken,
        });
        await gateway.StartReadyAsync();
        using var adminHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
        adminHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OpsToken);

        using var paused = await adminHttp.PostAsync(new Uri("/admin/directions/legacy-to-im/pause", UriKind.Relative), null);
        var whilePaused = await PausedAsync(adminHttp);
        using var resumed = await adminHttp.PostAsync(new Uri("/admin/directions/legacy-to-im/resume", UriKind.Relative), null);
        var afterResume = await PausedAsync(adminHttp);
        using var unknown = await adminHttp.PostAsync(new Uri("/admin/directions/sideways/pause", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal([false, true], whilePaused);
        Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
        Assert.Equal([false, false], afterResume);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains(gateway.LogEvents(), e => e.GetRawText().Contains("Paused legacy-to-im on every replica, by default", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Is_off_without_a_token_and_says_so_at_start()
    {
        var adminPort = LoopbackPorts.Free();
        await using var gateway = await RestartableGateway.CreateAsync(overrides: new Dictionary<string, string?> { ["Admin:Urls"] = $"http://127.0.0.1:{adminPort}" });
        await gateway.StartReadyAsync();

        Assert.False(LoopbackPorts.Accepts(adminPort));
        Assert.Contains(gateway.LogEvents(), e => e.GetRawText().Contains("The admin API is off", StringComparison.Ordinal));
    }

    private static async Task<bool[]> PausedAsync(HttpClient adminHttp)
    {
        var status = JsonDocument.Parse(await adminHttp.GetStringAsync(new Uri("/admin/status", UriKind.Relative))).RootElement;
        return [.. status.GetProperty("directions").EnumerateArray().Select(d => d.GetProperty("paused").GetBoolean())];
    }

    private static HttpRequestMessage Get(string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return request;
    }
}
