using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SyncGateway.Store;

namespace SyncGateway.Hosting;

internal static class HealthEndpoints
{
    public const string BasePath = "/health";
    public const string LivePath = BasePath + "/live";
    public const string ReadyPath = BasePath + "/ready";

    /// <summary>The tag of the checks that decide readiness (MassTransit tags its bus checks "ready" too).</summary>
    public const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Registers the readiness checks of the gateway's own dependencies: Redis (the bus registers its own).</summary>
    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<KeyValueStoreHealthCheck>("redis", HealthStatus.Unhealthy, [ReadyTag], TimeSpan.FromSeconds(3));
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c>: the process answers (no checks). <c>/health/ready</c>: every check tagged "ready" passes
    /// (bus started, Redis answers), else 503. Mapped in every environment; JSON bodies.
    /// </summary>
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(BasePath).ExcludeFromDescription();
        group.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        group.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
        return group;
    }

    // Status and description per check; exception text and check data stay out of an unauthenticated endpoint.
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new HealthBody(
            report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new HealthCheckBody(entry.Value.Status.ToString(), entry.Value.Description, entry.Value.Duration.TotalMilliseconds)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Json, context.RequestAborted);
    }

    private sealed record HealthBody(string Status, double DurationMs, IReadOnlyDictionary<string, HealthCheckBody> Checks);

    private sealed record HealthCheckBody(string Status, string? Description, double DurationMs);
}

/// <summary>Ready only while the key-value store (Redis) answers a ping.</summary>
internal sealed class KeyValueStoreHealthCheck(IKeyValueStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => await store.PingAsync(cancellationToken)
            ? HealthCheckResult.Healthy("Redis answers")
            : HealthCheckResult.Unhealthy("Redis does not answer");
}
