using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;

namespace SyncGateway.ToLegacy;

/// <summary>
/// A stand-in legacy endpoint for the quick start, mapped only in the Development environment: it verifies the
/// signature like a real receiver must, logs what arrived and lists the last events at <c>GET /dev/legacy-events</c>.
/// </summary>
internal static partial class DevelopmentReceiver
{
    public const string Path = "/dev/legacy-events";
    private const int Kept = 100;

    public static IEndpointRouteBuilder MapDevelopmentReceiver(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            return app;
        }
        var received = new ConcurrentQueue<JsonElement>();
        var group = app.MapGroup(Path).WithTags("Development receiver");
        group.MapPost("", async (HttpRequest request, IOptions<LegacyOptions> options, TimeProvider time, ILogger<LegacyRelay> logger) =>
        {
            var body = await RequestBody.ReadAsync(request, options.Value.IngressMaxBodyBytes, request.HttpContext.RequestAborted);
            var keys = StandardWebhooks.TryDecodeSecrets(options.Value.SigningSecret);
            if (body is null || keys is null)
            {
                return Results.BadRequest();
            }
            var problem = StandardWebhooks.Verify(keys, request.Headers[StandardWebhooks.IdHeader], request.Headers[StandardWebhooks.TimestampHeader],
                request.Headers[StandardWebhooks.SignatureHeader], body.Span, time.GetUtcNow(), TimeSpan.FromMinutes(5));
            if (problem is not null)
            {
                return Results.Problem(problem, statusCode: StatusCodes.Status401Unauthorized);
            }
            var cloudEvent = JsonSerializer.Deserialize<JsonElement>(body.Span);
            received.Enqueue(cloudEvent);
            while (received.Count > Kept && received.TryDequeue(out _))
            {
            }
            var type = cloudEvent.GetProperty("type").GetString();
            var id = cloudEvent.GetProperty("id").GetString();
            var subject = cloudEvent.GetProperty("subject").GetString();
            LogReceived(logger, type, id, subject);
            return Results.NoContent();
        });
        group.MapGet("", () => Results.Json(received.ToArray()));
        return app;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Development receiver: legacy got {EventType} {CloudEventId} on {Conversation} (signature verified)")]
    private static partial void LogReceived(ILogger logger, string? eventType, string? cloudEventId, string? conversation);
}
