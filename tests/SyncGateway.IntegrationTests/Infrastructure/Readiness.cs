using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using SyncGateway.Hosting;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// One answer of <c>/health/ready</c>: its status code, each check's status and description, and how long the answer
/// took; a null status code when nothing answered.
/// </summary>
internal sealed record Readiness(HttpStatusCode? Status, IReadOnlyDictionary<string, (string Status, string? Description)> Checks, TimeSpan Took)
{
    public string? CheckStatus(string check) => Checks.TryGetValue(check, out var c) ? c.Status : null;

    /// <summary>Events in the spool by its check's description ("empty" or "N events (…)"); null when not reported.</summary>
    public long? SpoolDepth => Checks.TryGetValue("spool", out var spool) && spool.Description is { } description
        ? description == "empty" ? 0
        : long.TryParse(description.Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var depth) ? depth : null
        : null;

    /// <summary>Asks <c>/health/ready</c> as a probe does; a refused connection or a timeout is a null status.</summary>
    public static async Task<Readiness> ProbeAsync(HttpClient http)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.GetAsync(new Uri(HealthEndpoints.ReadyPath, UriKind.Relative));
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var checks = body.RootElement.TryGetProperty("checks", out var c)
                ? c.EnumerateObject().ToDictionary(check => check.Name, check => (
                    check.Value.GetProperty("status").GetString() ?? "",
                    check.Value.TryGetProperty("description", out var d) ? d.GetString() : null))
                : [];
            return new Readiness(response.StatusCode, checks, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new Readiness(null, new Dictionary<string, (string, string?)>(), Stopwatch.GetElapsedTime(started));
        }
    }
}
