using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Hosting;
using SyncGateway.Ledger;
using SyncGateway.Messaging;

namespace SyncGateway.Admin;

/// <summary>
/// One faulted or parked event as <c>GET /admin/faults</c> lists it, and with <c>Event</c> (the event as stored) as
/// <c>GET /admin/faults/{id}</c> shows it. <c>State</c> is <c>faulted</c> (failed permanently, kept for an operator) or
/// <c>parked</c> (the head of a parked conversation, retried by itself); <c>Waiting</c> and <c>NextTry</c> are a parked
/// one's: the events held in its conversation (itself included) and its next automatic try.
/// </summary>
internal sealed record FaultSummary(
    string Id,
    string Direction,
    string Type,
    string Conversation,
    string State,
    string? Reason,
    int Attempts,
    DateTimeOffset? FirstFailure,
    DateTimeOffset? LastFailure,
    long Waiting,
    DateTimeOffset? NextTry,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonElement? Event = null);

/// <summary>What a replay or discard did: <paramref name="State"/> is the state the event was in.</summary>
internal sealed record FaultAction(string Id, string Direction, string Conversation, string Action, string State);

/// <summary>What a bulk replay matched, and replayed unless <paramref name="DryRun"/>.</summary>
internal sealed record BulkReplay(bool DryRun, int Count, IReadOnlyList<FaultSummary> Faults);

/// <summary>The body of every replay and discard: why, for the audit line and the ledger.</summary>
internal sealed record ActionReason(string? Reason);

/// <summary>Filters of <c>GET /admin/faults</c> and the bulk replay; null matches all.</summary>
internal sealed record FaultFilter(RelayDirection? Direction, string? Type, string? ReasonContains, string? State, int Limit);

/// <summary>The outcome of one operator action: done, or why not (404, 409).</summary>
internal abstract record ActionOutcome
{
    public sealed record Done(FaultAction Action) : ActionOutcome;

    public sealed record NotFound : ActionOutcome;

    public sealed record Conflict(string Detail) : ActionOutcome;
}

/// <summary>
/// Faulted events (<see cref="FaultedEvents"/>) and parked conversations' heads (<see cref="ConversationParking"/>) as
/// one list an operator works through, and what they may do with each. Replaying a faulted event queues it into its
/// conversation by its time (<see cref="ConversationParking.ReplayAsync"/>), so it reaches the other side before any
/// later event of its conversation still held and every event that arrives meanwhile waits behind it; replaying a
/// parked head retries it now. Discarding drops it for good. Each is written to the delivery ledger and to an audit
/// log line naming the token and the reason.
/// </summary>
internal sealed partial class AdminFaults(
    FaultedEvents faults,
    ConversationParking parking,
    DeliveryLedger ledger,
    SyncTelemetry telemetry,
    ILogger<AdminFaults> logger)
{
    public const string Faulted = "faulted";
    public const string Parked = "parked";
    public const string Replayed = "replayed";
    public const string Discarded = "discarded";

    public static readonly RelayDirection[] Directions = [RelayDirection.ImToLegacy, RelayDirection.LegacyToIm];

    // How many of each kind are read before filters apply: an operator narrows by filter, not by paging.
    private const int Scan = 10_000;

    public async Task<IReadOnlyList<FaultSummary>> ListAsync(FaultFilter filter)
    {
        var found = new List<(FaultSummary Summary, DateTimeOffset Time)>();
        foreach (var direction in Directions.Where(d => filter.Direction is null || filter.Direction == d))
        {
            if (filter.State is null or Faulted)
            {
                found.AddRange((await faults.ListAsync(direction, Scan)).Select(f => (Summary(f), f.Event?.Meta.Time ?? f.FirstFailure ?? DateTimeOffset.MinValue)));
            }
            if (filter.State is null or Parked)
            {
                found.AddRange((await parking.ListAsync(direction, Scan)).Where(p => p.HeadEventId is not null)
                    .Select(p => (Summary(p), p.ParkedSince ?? p.FirstFailure ?? DateTimeOffset.MinValue)));
            }
        }
        // Oldest first, so a bulk replay queues a conversation's events in their order.
        return [.. found
            .Where(f => filter.Type is null || f.Summary.Type == filter.Type)
            .Where(f => filter.ReasonContains is null || f.Summary.Reason?.Contains(filter.ReasonContains, StringComparison.OrdinalIgnoreCase) == true)
            .OrderBy(f => f.Time)
            .Take(filter.Limit)
            .Select(f => f.Summary)];
    }

    public async Task<FaultSummary?> FindAsync(string id)
    {
        foreach (var direction in Directions)
        {
            if (await faults.FindAsync(direction, id) is { } fault)
            {
                return Summary(fault) with { Event = StoredEvents.EventJson(fault.Raw) };
            }
        }
        if (await FindParkedAsync(id) is { } parked)
        {
            var head = await parking.HeadAsync(parked.Direction, parked.Conversation);
            return Summary(parked) with { Event = head is null ? null : StoredEvents.EventJson(head.Raw) };
        }
        return null;
    }

    public async Task<ActionOutcome> ReplayAsync(string id, string reason, string caller)
    {
        foreach (var direction in Directions)
        {
            if (await faults.FindAsync(direction, id) is not { } fault)
            {
                continue;
            }
            if (fault.Event is not { } evt)
            {
                return new ActionOutcome.Conflict($"This version cannot read the stored event ({fault.Reason}); discard it instead.");
            }
            // Queued before the fault is forgotten: a failure in between leaves it listed, and a second replay is a duplicate the relay drops.
            await parking.ReplayAsync(direction, evt);
            await faults.RemoveAsync(direction, id);
            return await DoneAsync(new FaultAction(id, direction.Name, fault.Conversation, Replayed, Faulted), reason, caller);
        }
        if (await FindParkedAsync(id) is { } parked && await parking.RetryNowAsync(parked.Direction, parked.Conversation))
        {
            return await DoneAsync(new FaultAction(id, parked.Direction.Name, parked.Conversation, Replayed, Parked), reason, caller);
        }
        return new ActionOutcome.NotFound();
    }

    public async Task<ActionOutcome> DiscardAsync(string id, string reason, string caller)
    {
        foreach (var direction in Directions)
        {
            if (await faults.FindAsync(direction, id) is { } fault)
            {
                await faults.RemoveAsync(direction, id);
                return await DoneAsync(new FaultAction(id, direction.Name, fault.Conversation, Discarded, Faulted), reason, caller);
            }
        }
        if (await FindParkedAsync(id) is not { } parked)
        {
            return new ActionOutcome.NotFound();
        }
        return await parking.DiscardHeadAsync(parked.Direction, parked.Conversation, id) switch
        {
            null => new ActionOutcome.Conflict("The event is being retried right now; try again in a moment."),
            false => new ActionOutcome.NotFound(),
            true => await DoneAsync(new FaultAction(id, parked.Direction.Name, parked.Conversation, Discarded, Parked), reason, caller),
        };
    }

    /// <summary>Replays every event <paramref name="filter"/> matches, oldest first; with <paramref name="dryRun"/> only lists them.</summary>
    public async Task<BulkReplay> ReplayAllAsync(FaultFilter filter, bool dryRun, string reason, string caller)
    {
        var matched = await ListAsync(filter);
        if (dryRun)
        {
            return new BulkReplay(true, matched.Count, matched);
        }
        var replayed = new List<FaultSummary>(matched.Count);
        foreach (var fault in matched)
        {
            if (await ReplayAsync(fault.Id, reason, caller) is ActionOutcome.Done)
            {
                replayed.Add(fault);
            }
        }
        return new BulkReplay(false, replayed.Count, replayed);
    }

    private async Task<ActionOutcome> DoneAsync(FaultAction action, string reason, string caller)
    {
        var direction = Directions.Single(d => d.Name == action.Direction);
        telemetry.RecordFaultAction(direction, action.Action);
        LogAction(logger, action.Action, action.State, action.Id, action.Direction, action.Conversation, caller, reason);
        var step = action.Action == Replayed ? DeliverySteps.Replayed : DeliverySteps.Discarded;
        try
        {
            await ledger.RecordAsync(action.Id, [ledger.Step(step, $"by {caller}: {reason}")]);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The action is done and audited; the ledger only loses the line.
            LogLedgerNotWritten(logger, action.Id, ex.Message);
        }
        return new ActionOutcome.Done(action);
    }

    private async Task<ParkedConversation?> FindParkedAsync(string id)
    {
        foreach (var direction in Directions)
        {
            if ((await parking.ListAsync(direction, Scan)).FirstOrDefault(p => p.HeadEventId == id) is { } parked)
            {
                return parked;
            }
        }
        return null;
    }

    private static FaultSummary Summary(FaultRecord fault)
        => new(fault.Id, fault.Direction.Name, fault.Type, fault.Conversation, Faulted, fault.Reason, fault.Attempts, fault.FirstFailure, fault.LastFailure, 0, null);

    private static FaultSummary Summary(ParkedConversation parked)
        => new(parked.HeadEventId!, parked.Direction.Name, parked.HeadEventType ?? "", parked.Conversation, Parked, parked.Reason, parked.Attempts,
            parked.FirstFailure, parked.LastFailure, parked.Events, parked.NextTry);

    // "Caller", not "TokenName": the log redactor masks every property whose name says token.
    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin audit: {Action} {State} event {CloudEventId} ({Direction}, {Conversation}) by {Caller}: {ActionReason}")]
    private static partial void LogAction(ILogger logger, string action, string state, string cloudEventId, string direction, string conversation, string caller, string actionReason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not write the delivery ledger's step for {CloudEventId} ({Reason}); the audit line above stands")]
    private static partial void LogLedgerNotWritten(ILogger logger, string cloudEventId, string reason);
}
