using System.Net;
using System.Text;
using System.Text.Json;
using SyncGateway.Admin.Cli;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Admin.Cli;

public sealed class AdminClientTests
{
    private const string Token = "ops-token-0123456789abcdef";

    [Fact]
    public async Task Sends_the_bearer_token_and_the_reason_as_json()
    {
        var stub = new StubHttpHandler(StubHttpHandler.Respond(HttpStatusCode.Accepted, """{"action":"replayed"}"""));

        var answer = await SendAsync(stub, new AdminRequest(HttpMethod.Post, "admin/faults/f%201/replay", "legacy fixed \"it\"", AdminView.FaultAction));

        var request = Assert.Single(stub.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://127.0.0.1:5081/admin/faults/f%201/replay", request.Uri!.AbsoluteUri);
        Assert.Equal("Bearer " + Token, request.Header("Authorization"));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        Assert.Equal("legacy fixed \"it\"", JsonDocument.Parse(request.Body).RootElement.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Accepted, answer.Status);
        Assert.Equal("replayed", answer.Body!.Value.GetProperty("action").GetString());
    }

    [Fact]
    public async Task A_get_has_no_body_and_a_path_in_the_url_is_kept_as_a_prefix()
    {
        var stub = new StubHttpHandler(StubHttpHandler.Respond(HttpStatusCode.OK, "[]"));

        await SendAsync(stub, new AdminRequest(HttpMethod.Get, "admin/faults?state=parked", null, AdminView.Faults), "http://localhost:8001/proxy/gw");

        var request = Assert.Single(stub.Requests);
        Assert.Equal("http://localhost:8001/proxy/gw/admin/faults?state=parked", request.Uri!.AbsoluteUri);
        Assert.Empty(request.Body);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"No such fault","status":404,"detail":"Replayed, discarded or never recorded."}""",
        "404 No such fault: Replayed, discarded or never recorded.")]
    [InlineData(HttpStatusCode.BadRequest, """{"title":"A reason is required","status":400}""", "400 A reason is required")]
    [InlineData(HttpStatusCode.NotFound, "", "404 Not Found: is --url the admin listener (the gateway's Admin__Urls), not its public port?")]
    [InlineData(HttpStatusCode.BadGateway, "<html>bad gateway</html>", "502 Bad Gateway")]
    public async Task Problem_details_become_status_title_and_detail(HttpStatusCode status, string body, string message)
    {
        var stub = new StubHttpHandler(StubHttpHandler.Respond(status, body));

        var error = await Assert.ThrowsAsync<AdminCallException>(() => SendAsync(stub, new AdminRequest(HttpMethod.Get, "admin/faults/x", null, AdminView.Fault)));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task A_refused_token_is_named_by_its_variable_never_by_its_value()
    {
        var stub = new StubHttpHandler(StubHttpHandler.Respond(HttpStatusCode.Unauthorized, """{"title":"An admin bearer token is required","status":401}"""));

        var error = await Assert.ThrowsAsync<AdminCallException>(() => SendAsync(stub, new AdminRequest(HttpMethod.Get, "admin/status", null, AdminView.Status)));

        Assert.Equal("401 the gateway refused the token in SYNCGW_ADMIN_TOKEN: it is none of its Admin__Token or Admin__Tokens__<name>", error.Message);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_listener_names_the_url_and_what_to_check()
    {
        var stub = new StubHttpHandler((_, _) => throw new HttpRequestException("Connection refused (127.0.0.1:5081)"));

        var error = await Assert.ThrowsAsync<AdminCallException>(() => SendAsync(stub, new AdminRequest(HttpMethod.Get, "admin/status", null, AdminView.Status)));

        Assert.Equal("the admin listener at http://127.0.0.1:5081/ is not reachable (Connection refused (127.0.0.1:5081)): is Admin__Token (or Admin__Tokens__<name>) set on the gateway, and is its Admin__Urls this URL (--url)?", error.Message);
    }

    [Fact]
    public async Task A_success_that_is_not_json_is_an_error_and_an_empty_one_is_not()
    {
        var stub = new StubHttpHandler(
            (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html/>", Encoding.UTF8, "text/html") }),
            StubHttpHandler.Respond(HttpStatusCode.Accepted));

        var error = await Assert.ThrowsAsync<AdminCallException>(() => SendAsync(stub, new AdminRequest(HttpMethod.Get, "admin/status", null, AdminView.Status)));
        var empty = await SendAsync(stub, new AdminRequest(HttpMethod.Post, "admin/faults/x/replay", "r", AdminView.FaultAction));

        Assert.Equal("the answer from http://127.0.0.1:5081/ is not JSON", error.Message);
        Assert.Equal(new AdminAnswer(HttpStatusCode.Accepted, null), empty);
    }

    private static async Task<AdminAnswer> SendAsync(StubHttpHandler stub, AdminRequest request, string url = "http://127.0.0.1:5081")
    {
        using var http = AdminClient.CreateHttpClient(new Uri(url), Token);
        using var stubbed = new HttpClient(stub) { BaseAddress = http.BaseAddress };
        stubbed.DefaultRequestHeaders.Authorization = http.DefaultRequestHeaders.Authorization;
        return await new AdminClient(stubbed).SendAsync(request, CancellationToken.None);
    }
}
