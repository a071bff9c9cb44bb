using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SyncGateway.Messaging;
using SyncGateway.Spool;
using SyncGateway.Store;

namespace SyncGateway.Hosting;

internal static class HealthEndpoints
{
    public const string BasePath = "/health";
    public const string LivePath = BasePath + "/live";
    public const string ReadyPath = BasePath + "/ready";

    /// <summary>
    /// The tag of the one check that decides readiness, <c>intake</c>. Every other check (broker, spool, Redis, the
    /// bus's own) is reported in the body only: a failing readiness probe takes the pod out of the Service, and then
    /// IM's callbacks reach no one, so only "the intake cannot take a callback" may fail it.
    /// </summary>
    public const string DecidesReadiness = "decides-readiness";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RedisWatch>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RedisWatch>());
        builder.Services.AddHealthChecks()
            .AddCheck<IntakeHealthCheck>("intake", HealthStatus.Unhealthy, [DecidesReadiness])
            .AddCheck<BrokerHealthCheck>("broker", HealthStatus.Unhealthy)
            .AddCheck<SpoolHealthCheck>("spool", HealthStatus.Unhealthy)
            .AddCheck<KeyValueStoreHealthCheck>("redis", HealthStatus.Unhealthy);
        return builder;
    }

    /// <summary>
    /// <c>/health/live</c>: the process answers (no checks). <c>/health/ready</c>: 200 unless the <c>intake</c> check is
    /// unhealthy (503); the body reports every check. Mapped in every environment; JSON bodies.
    /// </summary>
    public static RouteGroupBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(BasePath).ExcludeFromDescription();
        group.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        group.MapGet("/ready", async (HttpContext context, HealthCheckService health) =>
        {
            var report = await health.CheckHealthAsync(context.RequestAborted);
            var intake = report.Entries.Where(entry => entry.Value.Tags.Contains(DecidesReadiness)).Select(entry => entry.Value.Status).DefaultIfEmpty(HealthStatus.Healthy).Min();
            context.Response.StatusCode = intake == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            context.Response.Headers.CacheControl = "no-store, no-cache";
            await WriteAsync(context, report, intake);
        });
        return group;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report) => WriteAsync(context, report, report.Status);

    // Status and description per check; exception text and check data stay out of an unauthenticated endpoint.
    private static Task WriteAsync(HttpContext context, HealthReport report, HealthStatus status)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new HealthBody(
            status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new HealthCheckBody(entry.Value.Status.ToString(), entry.Value.Description, entry.Value.Duration.TotalMilliseconds)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, Json, context.RequestAborted);
    }

    private sealed record HealthBody(string Status, double DurationMs, IReadOnlyDictionary<string, HealthCheckBody> Checks);

    private sealed record HealthCheckBody(string Status, string? Description, double DurationMs);
}

/// <summary>
/// Can the intake take a callback now: the broker confirms, or (with RabbitMQ) the spool has room while it does not.
/// Degraded (still ready) while events go to the spool; unhealthy while shutting down or with nowhere to put an event.
/// </summary>
internal sealed class IntakeHealthCheck(GracefulShutdown shutdown, BrokerState broker, IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var spool = services.GetService<EventSpool>();
        return Task.FromResult(
            shutdown.Draining ? HealthCheckResult.Unhealthy("shutting down")
            : broker.Confirms && (spool is null || spool.Depth == 0) ? HealthCheckResult.Healthy("events go to the broker")
            : spool is null ? HealthCheckResult.Unhealthy("the bus is not running")
            : spool.HasRoom ? HealthCheckResult.Degraded("events go to the local spool until the broker confirms")
            : HealthCheckResult.Unhealthy("the broker does not confirm and the spool is full"));
    }
}

internal sealed class BrokerHealthCheck(BrokerState broker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(
            broker.Confirms ? HealthCheckResult.Healthy("connected")
            : broker.Connected ? HealthCheckResult.Degraded("connected; a publish failed since the last confirm")
            : HealthCheckResult.Unhealthy("not connected"));
}

/// <summary>The spool's depth, size and oldest age (RabbitMQ only; the in-memory transport has no spool).</summary>
internal sealed class SpoolHealthCheck(IServiceProvider services) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var spool = services.GetService<EventSpool>();
        return Task.FromResult(
            spool is null ? HealthCheckResult.Healthy("no spool: the in-memory transport is not durable")
            : spool.Depth == 0 ? HealthCheckResult.Healthy("empty")
            : spool.HasRoom ? HealthCheckResult.Degraded($"{spool.Depth} events ({spool.Bytes} bytes), the oldest {spool.OldestAge()?.TotalSeconds ?? 0:0} s old")
            : HealthCheckResult.Unhealthy($"full: {spool.Depth} events ({spool.Bytes} bytes), the oldest {spool.OldestAge()?.TotalSeconds ?? 0:0} s old"));
    }
}

/// <summary>
/// Whether Redis answered <see cref="RedisWatch"/>'s last ping (reported, never deciding readiness: the consumers
/// wait for Redis, the intakes do not need it). The cached answer keeps the probe fast while Redis hangs.
/// </summary>
internal sealed class KeyValueStoreHealthCheck(RedisWatch watch) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(watch.Up
            ? HealthCheckResult.Healthy("Redis answers")
            : HealthCheckResult.Unhealthy("Redis does not answer"));
}
