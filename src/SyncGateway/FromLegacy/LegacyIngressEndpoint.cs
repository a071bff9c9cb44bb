using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Messaging;
using SyncGateway.Spool;
using SyncGateway.ToLegacy;

namespace SyncGateway.FromLegacy;

internal static partial class LegacyIngressEndpoint
{
    public const string Path = "/legacy/events";

    /// <summary><c>POST /legacy/events</c>: legacy deltas as CloudEvents, one or a batch.</summary>
    public static RouteGroupBuilder MapLegacyIngress(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).WithTags("Legacy ingress");
        group.MapPost("", HandleAsync).RequireStandardWebhookSignature();
        return group;
    }

    /// <summary>
    /// Reads the body (413 past the limit) and verifies its Standard Webhooks signature and replay window (401).
    /// The verified body is handed to the endpoint, which never reads the request stream itself.
    /// </summary>
    public static RouteHandlerBuilder RequireStandardWebhookSignature(this RouteHandlerBuilder builder)
        => builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var options = http.RequestServices.GetRequiredService<IOptions<LegacyOptions>>().Value;
            var body = await RequestBody.ReadAsync(http.Request, options.IngressMaxBodyBytes, http.RequestAborted);
            if (body is null)
            {
                return TypedResults.Problem($"The body exceeds {options.IngressMaxBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);
            }
            var keys = StandardWebhooks.TryDecodeSecrets(options.IngressSecret);
            var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            var problem = keys is null
                ? "the ingress has no Legacy:IngressSecret configured"
                : StandardWebhooks.Verify(keys, http.Request.Headers[StandardWebhooks.IdHeader], http.Request.Headers[StandardWebhooks.TimestampHeader],
                    http.Request.Headers[StandardWebhooks.SignatureHeader], body.Span, now, TimeSpan.FromSeconds(options.IngressToleranceSeconds));
            if (problem is not null)
            {
                LogRefused(http.RequestServices.GetRequiredService<ILogger<LegacyIngressLog>>(), problem);
                return TypedResults.Problem(problem, statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
            }
            http.Features.Set(new VerifiedBody(body));
            return await next(context);
        });

    // Validate every event first: a request with one bad event publishes nothing. Then publish each with confirm.
    private static async Task<Results<Accepted, ProblemHttpResult>> HandleAsync(
        HttpContext http, IEventPublisher publisher, TimeProvider time, SyncTelemetry telemetry, ILogger<LegacyIngressLog> logger)
    {
        var body = http.Features.GetRequiredFeature<VerifiedBody>().Body.Memory;
        var contentType = http.Request.ContentType ?? "";
        bool batch;
        if (contentType.StartsWith(CloudEventReader.BatchContentType, StringComparison.OrdinalIgnoreCase))
        {
            batch = true;
        }
        else if (contentType.StartsWith(CloudEventReader.SingleContentType, StringComparison.OrdinalIgnoreCase))
        {
            batch = false;
        }
        else
        {
            return TypedResults.Problem($"Content-Type must be {CloudEventReader.SingleContentType} or {CloudEventReader.BatchContentType}.",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var (events, errors) = CloudEventReader.Read(body, batch, time.GetUtcNow());
        if (errors.Count > 0)
        {
            telemetry.RecordOutcome(RelayDirection.LegacyToIm, "invalid", SyncTelemetry.Outcomes.Rejected, "malformed");
            LogInvalid(logger, errors.Count);
            return TypedResults.Problem(
                detail: string.Join("; ", errors.Select(e => $"event {e.Index}{(e.Id is null ? "" : $" ({e.Id})")}: {e.Field} {e.Message}")),
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid CloudEvents",
                extensions: new Dictionary<string, object?> { ["errors"] = errors });
        }

        foreach (var evt in events)
        {
            var meta = evt.Meta;
            using var activity = StartIngestActivity(meta);
            SyncTelemetry.TagEvent(activity, RelayDirection.LegacyToIm, meta.Type, meta.Id, meta.Subject);
            telemetry.RecordReceived(RelayDirection.LegacyToIm, meta.Type);
            try
            {
                await publisher.PublishAsync(evt, http.RequestAborted);
            }
            catch (SpoolFullException ex)
            {
                telemetry.RecordSpoolRefused(RelayDirection.LegacyToIm);
                telemetry.RecordOutcome(RelayDirection.LegacyToIm, meta.Type, SyncTelemetry.Outcomes.Faulted, "spool-full");
                LogSpoolFull(logger, meta.Type, meta.Id, meta.Subject, ex.Message);
                return TypedResults.Problem("The broker is away and the gateway's spool is full; retry the request later.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
#pragma warning disable CA1031 // Any broker failure means "not durable": answer an error; the sender retries the whole request.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                telemetry.RecordOutcome(RelayDirection.LegacyToIm, meta.Type, SyncTelemetry.Outcomes.Faulted, "broker-unavailable");
                LogPublishFailed(logger, ex, meta.Type, meta.Id, meta.Subject);
                return TypedResults.Problem("The events could not be made durable; retry the request.", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            telemetry.RecordOutcome(RelayDirection.LegacyToIm, meta.Type, SyncTelemetry.Outcomes.Published);
        }
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>Continues the delta's own trace (its <c>traceparent</c>) when it has one.</summary>
    private static Activity? StartIngestActivity(EventMeta meta)
    {
        if (meta.TraceParent is not null && ActivityContext.TryParse(meta.TraceParent, meta.TraceState, out var parent))
        {
            // The delta's trace becomes the parent; the HTTP request that carried it stays reachable as a link.
            ActivityLink[] request = Activity.Current is { } current ? [new ActivityLink(current.Context)] : [];
            return SyncTelemetry.Source.StartActivity($"ingest {meta.Type}", ActivityKind.Consumer, parent, links: request);
        }
        return SyncTelemetry.Source.StartActivity($"ingest {meta.Type}", ActivityKind.Internal);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Legacy delta refused: {Problem}")]
    private static partial void LogRefused(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Legacy request rejected: {ErrorCount} invalid event field(s); nothing published")]
    private static partial void LogInvalid(ILogger logger, int errorCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Legacy delta {EventType} {CloudEventId} on {Conversation} refused with 503: the broker does not confirm and {Problem}")]
    private static partial void LogSpoolFull(ILogger logger, string eventType, string cloudEventId, string conversation, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Legacy delta {EventType} {CloudEventId} on {Conversation} could not be made durable; answered 503")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, string eventType, string cloudEventId, string conversation);
}

/// <summary>Logger category of the legacy ingress.</summary>
internal sealed class LegacyIngressLog;

/// <summary>The request body whose Standard Webhooks signature the endpoint filter verified.</summary>
internal sealed record VerifiedBody(RequestBody Body);
