using System.Globalization;
using SyncGateway.Ledger;
using SyncGateway.Messaging;
using SyncGateway.Spool;

namespace SyncGateway.Admin;

/// <summary>One direction in <c>GET /admin/status</c>. Queue counts are RabbitMQ's (null on the in-memory transport); the oldest event and the spool are this replica's.</summary>
internal sealed record DirectionStatus(
    string Direction,
    bool Paused,
    long? QueueDepth,
    long? Consumers,
    double? OldestEventAgeSeconds,
    long SpoolDepth,
    long? Faulted,
    long Parked);

/// <summary>The answer of <c>GET /admin/status</c>.</summary>
internal sealed record AdminStatus(IReadOnlyList<DirectionStatus> Directions);

/// <summary>The answer of a pause or resume.</summary>
internal sealed record PauseState(string Direction, bool Paused);

/// <summary>The admin API's routes, all under <c>/admin</c>; <see cref="AdminListener"/> authenticates them and keeps them off the public port.</summary>
internal static partial class AdminEndpoints
{
    public const string BasePath = "/admin";

    private static readonly RelayDirection[] Directions = [RelayDirection.ImToLegacy, RelayDirection.LegacyToIm];

    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(BasePath).WithTags("admin");
        admin.MapGet("/events/{id}", GetEventAsync).WithName("GetEvent")
            .WithSummary("An event's delivery ledger entry by CloudEvent id: direction, type, trace id and its steps in order.");
        admin.MapGet("/events", FindEventsAsync).WithName("FindEvents")
            .WithSummary("Every event that carried a message, by ?msgKey=, ?group=&seq= or ?legacyId=.");
        admin.MapPost("/directions/{direction}/pause", (string direction, HttpContext context, DirectionPause pause, ILoggerFactory logs) => SetPausedAsync(direction, true, context, pause, logs))
            .WithName("PauseDirection").WithSummary("Holds the direction's events on every replica (im-to-legacy, legacy-to-im).");
        admin.MapPost("/directions/{direction}/resume", (string direction, HttpContext context, DirectionPause pause, ILoggerFactory logs) => SetPausedAsync(direction, false, context, pause, logs))
            .WithName("ResumeDirection").WithSummary("Lets the direction's events through on every replica.");
        admin.MapGet("/status", GetStatusAsync).WithName("GetStatus")
            .WithSummary("Per direction: paused, queue depth, consumers, oldest event age, spool depth, faulted and parked counts.");
        app.MapOpenApi(BasePath + "/openapi/{documentName}.json");
    }

    private static async Task<IResult> GetEventAsync(string id, DeliveryLedger ledger)
        => await ledger.FindAsync(id) is { } record
            ? TypedResults.Ok(record)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such event in the delivery ledger", detail: "Never seen, or older than Ledger:TtlDays.");

    private static async Task<IResult> FindEventsAsync(string? msgKey, string? group, string? seq, string? legacyId, DeliveryLedger ledger)
    {
        if (msgKey is not null)
        {
            return TypedResults.Ok(await ledger.FindByMsgKeyAsync(msgKey));
        }
        if (group is not null && long.TryParse(seq, NumberStyles.None, CultureInfo.InvariantCulture, out var msgSeq))
        {
            return TypedResults.Ok(await ledger.FindByGroupSeqAsync(group, msgSeq));
        }
        if (legacyId is not null)
        {
            return TypedResults.Ok(await ledger.FindByLegacyIdAsync(legacyId));
        }
        return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Name one message", detail: "Give msgKey, group and seq (a number), or legacyId.");
    }

    private static async Task<IResult> SetPausedAsync(string name, bool paused, HttpContext context, DirectionPause pause, ILoggerFactory logs)
    {
        if (Directions.FirstOrDefault(d => d.Name == name) is not { } direction)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such direction", detail: "im-to-legacy or legacy-to-im.");
        }
        await pause.SetAsync(direction, paused);
        LogPause(logs.CreateLogger(typeof(AdminEndpoints)), paused ? "Paused" : "Resumed", direction.Name, AdminListener.Caller(context));
        return TypedResults.Ok(new PauseState(direction.Name, paused));
    }

    private static async Task<IResult> GetStatusAsync(PauseGate gate, RelayQueueCounts queues, IParkedEvents parked, IServiceProvider services, TimeProvider time, CancellationToken cancellationToken)
    {
        var counts = await queues.ReadAsync(Directions, cancellationToken);
        var spool = services.GetService<EventSpool>();
        var now = time.GetUtcNow();
        var directions = new List<DirectionStatus>(Directions.Length);
        foreach (var direction in Directions)
        {
            var queue = counts?.GetValueOrDefault(direction);
            directions.Add(new DirectionStatus(
                direction.Name,
                gate.IsPaused(direction),
                queue?.Depth,
                queue?.Consumers,
                gate.OldestInFlight(direction) is { } oldest ? Math.Round((now - oldest).TotalSeconds, 3) : null,
                spool?.DepthOf(direction) ?? 0,
                queue?.Faulted,
                await parked.CountAsync(direction, cancellationToken)));
        }
        return TypedResults.Ok(new AdminStatus(directions));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} {Direction} on every replica, by {Caller}")]
    private static partial void LogPause(ILogger logger, string action, string direction, string caller);
}
