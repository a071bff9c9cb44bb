using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SyncGateway.Admin.Cli;

/// <summary>An admin API answer: its status and its JSON body (null when it had none).</summary>
internal sealed record AdminAnswer(HttpStatusCode Status, JsonElement? Body);

/// <summary>An admin call that failed; the message is the one line the operator reads.</summary>
internal sealed class AdminCallException(string message) : Exception(message);

/// <summary>
/// Calls the admin API with the operator's bearer token. An answer other than 2xx, and a listener that cannot be
/// reached, become one <see cref="AdminCallException"/> line: the problem details' status, title and detail, or what to
/// check. The token is only ever in the request's header.
/// </summary>
internal sealed class AdminClient(HttpClient http)
{
    /// <summary>A client for the admin API at <paramref name="url"/>, a path in it kept as a prefix (behind a proxy).</summary>
    public static HttpClient CreateHttpClient(Uri url, string token)
    {
        var http = new HttpClient { BaseAddress = url.AbsolutePath.EndsWith('/') ? url : new Uri(url + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public async Task<AdminAnswer> SendAsync(AdminRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(request.Method, new Uri(request.Path, UriKind.Relative));
        if (request.Reason is { } reason)
        {
            message.Content = JsonContent.Create(new JsonObject { ["reason"] = reason });
        }
        try
        {
            using var response = await http.SendAsync(message, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw new AdminCallException(Refusal(response.StatusCode, response.ReasonPhrase, body));
            }
            return string.IsNullOrWhiteSpace(body)
                ? new AdminAnswer(response.StatusCode, null)
                : new AdminAnswer(response.StatusCode, Json(body) ?? throw new AdminCallException($"the answer from {http.BaseAddress} is not JSON"));
        }
        catch (HttpRequestException e)
        {
            throw new AdminCallException($"the admin listener at {http.BaseAddress} is not reachable ({e.Message}): is Admin__Token (or Admin__Tokens__<name>) set on the gateway, and is its Admin__Urls this URL (--url)?");
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new AdminCallException(string.Create(CultureInfo.InvariantCulture, $"the admin listener at {http.BaseAddress} did not answer within {http.Timeout.TotalSeconds:0} s"));
        }
    }

    private static string Refusal(HttpStatusCode status, string? phrase, string body)
    {
        var code = (int)status;
        if (status == HttpStatusCode.Unauthorized)
        {
            return $"{code} the gateway refused the token in {AdminCli.TokenVariable}: it is none of its Admin__Token or Admin__Tokens__<name>";
        }
        if (Json(body) is { ValueKind: JsonValueKind.Object } problem)
        {
            var title = Text(problem, "title") ?? phrase;
            return Text(problem, "detail") is { } detail ? $"{code} {title}: {detail}" : $"{code} {title}";
        }
        // Admin paths answer a bare 404 on the gateway's public port.
        return status == HttpStatusCode.NotFound
            ? $"{code} {phrase}: is --url the admin listener (the gateway's Admin__Urls), not its public port?"
            : $"{code} {phrase}";
    }

    private static string? Text(JsonElement problem, string name)
        => problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    /// <summary>The body as JSON; null when it is empty or not JSON.</summary>
    private static JsonElement? Json(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
