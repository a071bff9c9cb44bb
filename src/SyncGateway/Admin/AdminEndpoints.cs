using Microsoft.AspNetCore.Http.HttpResults;
using System.Globalization;
using SyncGateway.Ledger;
using SyncGateway.Messaging;
using SyncGateway.Spool;

namespace SyncGateway.Admin;

/// <summary>
/// One direction in <c>GET /admin/status</c>. Queue counts (and the error queue's, events that could not be kept as
/// faults) are RabbitMQ's, null on the in-memory transport; the oldest event and the spool are this replica's; faulted
/// and parked counts are the store's, shared by every replica (<c>parked</c> counts events, the failing heads included).
/// </summary>
internal sealed record DirectionStatus(
    string Direction,
    bool Paused,
    long? QueueDepth,
    long? Consumers,
    double? OldestEventAgeSeconds,
    long SpoolDepth,
    long Faulted,
    long? ErrorQueueDepth,
    long Parked,
    long ParkedConversations,
    double? OldestParkedAgeSeconds);

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
        admin.MapGet("/faults", ListFaultsAsync).WithName("ListFaults")
            .WithSummary("Faulted and parked events, oldest first, by ?direction=, ?type=, ?reason= (contained in the failure's reason), ?state=faulted|parked, ?limit= (default 100).");
        admin.MapGet("/faults/{id}", GetFaultAsync).WithName("GetFault")
            .WithSummary("One faulted or parked event by CloudEvent id, with the event itself.");
        admin.MapPost("/faults/{id}/replay", ReplayFaultAsync).WithName("ReplayFault")
            .WithSummary("Replays a faulted event into its conversation by its time (a parked one: retries it now). Body: {\"reason\": \"…\"}.");
        admin.MapPost("/faults/{id}/discard", DiscardFaultAsync).WithName("DiscardFault")
            .WithSummary("Drops a faulted or parked event for good; its conversation goes on. Body: {\"reason\": \"…\"}.");
        admin.MapPost("/faults/replay", ReplayFaultsAsync).WithName("ReplayFaults")
            .WithSummary("Replays every event the filters of GET /admin/faults match, oldest first; ?dryRun=true lists them only. Body: {\"reason\": \"…\"}.");
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

    private static async Task<IResult> GetStatusAsync(PauseGate gate, RelayQueueCounts queues, ConversationParking parking, FaultedEvents faults, IServiceProvider services, TimeProvider time, CancellationToken cancellationToken)
    {
        var counts = await queues.ReadAsync(Directions, cancellationToken);
        var spool = services.GetService<EventSpool>();
        var now = time.GetUtcNow();
        var directions = new List<DirectionStatus>(Directions.Length);
        foreach (var direction in Directions)
        {
            var queue = counts?.GetValueOrDefault(direction);
            var parked = await parking.CountAsync(direction);
            directions.Add(new DirectionStatus(
                direction.Name,
                gate.IsPaused(direction),
                queue?.Depth,
                queue?.Consumers,
                Age(gate.OldestInFlight(direction), now),
                spool?.DepthOf(direction) ?? 0,
                await faults.CountAsync(direction),
                queue?.Faulted,
                parked.Events,
                parked.Conversations,
                Age(parked.OldestParkedSince, now)));
        }
        return TypedResults.Ok(new AdminStatus(directions));
    }

    private static double? Age(DateTimeOffset? since, DateTimeOffset now) => since is { } at ? Math.Round((now - at).TotalSeconds, 3) : null;

    private static async Task<IResult> ListFaultsAsync(string? direction, string? type, string? reason, string? state, string? limit, AdminFaults admin)
        => ParseFilter(direction, type, reason, state, limit) is { } filter ? TypedResults.Ok(await admin.ListAsync(filter)) : BadFilter();

    private static async Task<IResult> GetFaultAsync(string id, AdminFaults admin)
        => await admin.FindAsync(id) is { } fault ? TypedResults.Ok(fault) : NoSuchFault();

    private static async Task<IResult> ReplayFaultAsync(string id, ActionReason? body, HttpContext context, AdminFaults admin)
        => CheckReason(body) is { } reason
            ? Answer(await admin.ReplayAsync(id, reason, AdminListener.Caller(context)), StatusCodes.Status202Accepted)
            : NoReason();

    private static async Task<IResult> DiscardFaultAsync(string id, ActionReason? body, HttpContext context, AdminFaults admin)
        => CheckReason(body) is { } reason
            ? Answer(await admin.DiscardAsync(id, reason, AdminListener.Caller(context)), StatusCodes.Status200OK)
            : NoReason();

    private static async Task<IResult> ReplayFaultsAsync(string? direction, string? type, string? reason, string? state, string? limit, string? dryRun, ActionReason? body, HttpContext context, AdminFaults admin)
    {
        if (CheckReason(body) is not { } why)
        {
            return NoReason();
        }
        if (ParseFilter(direction, type, reason, state, limit) is not { } filter)
        {
            return BadFilter();
        }
        if (!bool.TryParse(dryRun ?? "false", out var dry))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad dryRun", detail: "dryRun is true or false.");
        }
        return TypedResults.Ok(await admin.ReplayAllAsync(filter, dry, why, AdminListener.Caller(context)));
    }

    /// <summary>The filter, or null when one of its values is not valid.</summary>
    internal static FaultFilter? ParseFilter(string? direction, string? type, string? reason, string? state, string? limit)
    {
        RelayDirection? parsed = null;
        if (direction is not null && (parsed = Directions.FirstOrDefault(d => d.Name == direction)) is null)
        {
            return null;
        }
        if (state is not (null or AdminFaults.Faulted or AdminFaults.Parked))
        {
            return null;
        }
        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            return null;
        }
        return new FaultFilter(parsed, Empty(type), Empty(reason), state, take);

        static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The trimmed reason, or null when it is missing, empty or too long for an audit line.</summary>
    internal static string? CheckReason(ActionReason? body)
        => body?.Reason?.Trim() is { Length: > 0 and <= MaxReasonLength } reason ? reason : null;

    private static IResult Answer(ActionOutcome outcome, int doneStatus) => outcome switch
    {
        ActionOutcome.Done done => TypedResults.Json(done.Action, statusCode: doneStatus),
        ActionOutcome.Conflict conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Not now", detail: conflict.Detail),
        _ => NoSuchFault(),
    };

    private static ProblemHttpResult NoSuchFault()
        => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such faulted or parked event", detail: "Replayed, discarded, delivered meanwhile, or never faulted.");

    private static ProblemHttpResult NoReason()
        => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A reason is required",
            detail: $"Send {{\"reason\": \"…\"}} (1 to {MaxReasonLength} characters): it is written to the audit log and the ledger.");

    private static ProblemHttpResult BadFilter()
        => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad filter",
            detail: $"direction is im-to-legacy or legacy-to-im, state is faulted or parked, limit is 1 to {MaxLimit}.");

    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;
    private const int MaxReasonLength = 500;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Action} {Direction} on every replica, by {Caller}")]
    private static partial void LogPause(ILogger logger, string action, string direction, string caller);
}
