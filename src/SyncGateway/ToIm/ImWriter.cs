using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.ToIm;

/// <summary>
/// Applies one legacy delta to IM: drop it if already applied (duplicate) or if it is the echo of our own relay to
/// legacy (<c>syncorigin</c> or content fingerprint), tag the IM echoes the write will cause, make the IM calls and
/// read their per-item results, then remember the event. Every step is idempotent: the tags are written once per
/// event, the message ids are derived from the event, and member adds and removals repeat as no-ops, so a retry or
/// redelivery at any point neither loses nor doubles the delta.
/// </summary>
internal sealed partial class ImWriter(
    IKeyValueStore store,
    OriginTags tags,
    IImRestClient client,
    IOptions<SyncOptions> syncOptions,
    IOptions<ImOptions> imOptions,
    IOptions<ToImOptions> options,
    TimeProvider time,
    ILogger<ImWriter> logger)
{
    public async Task ApplyAsync<TData>(ConsumeContext context, ISyncEvent<TData> evt) where TData : class
    {
        var meta = evt.Meta;
        using var activity = SyncTelemetry.Source.StartActivity($"apply {meta.Type}");
        SyncTelemetry.TagEvent(activity ?? Activity.Current, SyncTelemetry.ToIm, meta.Type, meta.Id, meta.Subject);

        try
        {
            if (await store.ExistsAsync(AppliedKey(meta.Id)))
            {
                SyncTelemetry.RecordOutcome(SyncTelemetry.ToIm, meta.Type, SyncTelemetry.Outcomes.Duplicate);
                LogDuplicate(logger, meta.Type, meta.Id, meta.Subject);
                return;
            }

            if (BeforeImportCutoff(meta, evt.Data))
            {
                SyncTelemetry.RecordOutcome(SyncTelemetry.ToIm, meta.Type, SyncTelemetry.Outcomes.Duplicate, "before import cut-off");
                LogBeforeCutoff(logger, meta.Type, meta.Id, meta.Subject);
                return;
            }

            var (data, echo) = await WithoutEchoesAsync(meta, evt.Data);
            if (data is null)
            {
                SyncTelemetry.RecordOutcome(SyncTelemetry.ToIm, meta.Type, SyncTelemetry.Outcomes.SuppressedEcho, echo);
                LogEcho(logger, meta.Type, meta.Id, meta.Subject, echo!);
                return;
            }

            var plan = ImRequests.Plan(meta, data, imOptions.Value.ForbidCallbacksOnSend, options.Value);
            if (plan.Calls.Count == 0)
            {
                await store.SetAsync(AppliedKey(meta.Id), DedupeTtl);
                SyncTelemetry.RecordOutcome(SyncTelemetry.ToIm, meta.Type, SyncTelemetry.Outcomes.Ignored, "nothing to change");
                LogNothingToChange(logger, meta.Type, meta.Id, meta.Subject);
                return;
            }

            // Before the call: IM may deliver the echo callback before it answers the call.
            await tags.ExpectImEchoesAsync(meta.Id, plan.ExpectedEchoes);
            await CallAsync(meta, plan, context.CancellationToken);
            await store.SetAsync(AppliedKey(meta.Id), DedupeTtl);

            SyncTelemetry.RecordOutcome(SyncTelemetry.ToIm, meta.Type, SyncTelemetry.Outcomes.Applied, echo);
            SyncTelemetry.RecordRelayLatency(SyncTelemetry.ToIm, meta.Type, time.GetUtcNow() - meta.Time);
            LogApplied(logger, meta.Type, meta.Id, meta.Subject, plan.Calls.Count);
        }
        catch (PermanentFailureException ex)
        {
            SyncTelemetry.RecordOutcome(SyncTelemetry.ToIm, meta.Type, SyncTelemetry.Outcomes.Faulted, ex.Message);
            LogFaulted(logger, meta.Type, meta.Id, meta.Subject, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            SyncTelemetry.RecordOutcome(SyncTelemetry.ToIm, meta.Type, SyncTelemetry.Outcomes.Retried, ex.Message);
            LogRetry(logger, meta.Type, meta.Id, meta.Subject, context.GetRetryAttempt(), ex.Message);
            throw;
        }
    }

    private TimeSpan DedupeTtl => TimeSpan.FromSeconds(syncOptions.Value.DedupeTtlSeconds);

    private static string AppliedKey(string eventId) => $"applied:{eventId}";

    /// <summary>A message sent before the import cut-off came with the history import (docs/migration.md).</summary>
    private bool BeforeImportCutoff(EventMeta meta, object data)
    {
        if (syncOptions.Value.ImportCutoffTime is not { } cutoff)
        {
            return false;
        }
        var sentAt = data switch
        {
            C2CMessageData d => d.MsgTime,
            GroupMessageData d => d.MsgTime,
            _ => (long?)null,
        };
        return data is C2CMessageData or GroupMessageData
            && (sentAt is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : meta.Time) < cutoff;
    }

    /// <summary>
    /// The delta without the parts that echo our relays, and why parts were dropped. A delta that names the relayed
    /// event in <c>syncorigin</c> is an echo as a whole, even when its tag has expired: the legacy system says so
    /// itself. Its fingerprint tags are taken all the same, so they cannot swallow a later genuine delta.
    /// </summary>
    private async Task<(TData? Data, string? Echo)> WithoutEchoesAsync<TData>(EventMeta meta, TData data) where TData : class
    {
        var fingerprints = EchoParts.LegacyKeys(data);
        if (meta.SyncOrigin is { } origin)
        {
            var taken = await tags.TakeLegacyEchoesAsync(meta.Id, [EchoParts.LegacyOriginKey(origin), .. fingerprints]);
            return (null, taken[0] ? "syncorigin" : "syncorigin-untagged");
        }
        var suppressed = await tags.TakeLegacyEchoesAsync(meta.Id, fingerprints);
        var rest = EchoParts.Without(data, suppressed);
        return rest is null ? (null, "fingerprint")
            : ReferenceEquals(rest, data) ? (data, null)
            : (rest, "partly-echo");
    }

    private async Task CallAsync(EventMeta meta, ImWritePlan plan, CancellationToken cancellationToken)
    {
        var failed = new List<string>();
        foreach (var call in plan.Calls)
        {
            JsonElement answer;
            try
            {
                answer = await client.CallAsync(call.Api, call.Body, cancellationToken);
            }
            catch (ImPermanentException ex) when (call.Api == ImApi.DestroyGroup && ImErrorClassification.Classify(ex.ErrorCode).GroupMissing)
            {
                // The desired state: a retry after an unseen success, or a group dismissed on the IM side as well.
                LogAlreadyGone(logger, meta.Type, meta.Id, call.GroupId);
                continue;
            }
            Read(meta, call, answer, failed);
        }
        if (failed.Count > 0)
        {
            throw new PermanentFailureException(
                $"IM {ImApi.AddGroupMember} did not add {failed.Count} member(s) to group {plan.Calls[0].GroupId}: {string.Join(", ", failed)}");
        }
    }

    /// <summary>Per-item results inside an OK answer (IM answers a batch OK and reports each item's result in it).</summary>
    private void Read(EventMeta meta, ImCall call, JsonElement answer, List<string> failed)
    {
        if (answer.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        if (call.Api == ImApi.SendGroupMsg
            && answer.TryGetProperty("MsgDropReason", out var drop) && drop.ValueKind == JsonValueKind.String
            && drop.GetString() is { Length: > 0 } reason)
        {
            // IM discarded the message (frequency control); the retry sends the same Random.
            throw new ImTransientException(call.Api, ImErrorClassification.MessageDropped, "message dropped: " + reason);
        }
        if (call.Api == ImApi.SendMsg && answer.TryGetProperty("MsgKey", out var key) && key.ValueKind == JsonValueKind.String)
        {
            Activity.Current?.SetTag("im.msg_key", key.GetString());
        }
        if (call.Api == ImApi.SendGroupMsg && answer.TryGetProperty("MsgSeq", out var seq) && seq.ValueKind == JsonValueKind.Number)
        {
            Activity.Current?.SetTag("im.msg_seq", seq.GetInt64());
        }
        if (call.Api == ImApi.AddGroupMember && answer.TryGetProperty("MemberList", out var members) && members.ValueKind == JsonValueKind.Array)
        {
            foreach (var member in members.EnumerateArray())
            {
                var account = member.TryGetProperty("Member_Account", out var a) ? a.GetString() : null;
                var result = member.TryGetProperty("Result", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt32() : 0;
                switch (result)
                {
                    case 1 or 2: // added, already a member
                        break;
                    case 3:
                        LogAwaitingApproval(logger, meta.Type, meta.Id, call.GroupId, account);
                        break;
                    default:
                        failed.Add($"{account} (Result {result})");
                        break;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {EventType} {CloudEventId} on {Conversation} to IM ({Calls} call(s))")]
    private static partial void LogApplied(ILogger logger, string eventType, string cloudEventId, string conversation, int calls);

    [LoggerMessage(Level = LogLevel.Information, Message = "Suppressed {EventType} {CloudEventId} on {Conversation}: echo of the gateway's own relay to legacy ({Signal})")]
    private static partial void LogEcho(ILogger logger, string eventType, string cloudEventId, string conversation, string signal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped duplicate {EventType} {CloudEventId} on {Conversation}: already applied")]
    private static partial void LogDuplicate(ILogger logger, string eventType, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dropped {EventType} {CloudEventId} on {Conversation}: sent before the import cut-off, so imported")]
    private static partial void LogBeforeCutoff(ILogger logger, string eventType, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Nothing to apply for {EventType} {CloudEventId} on {Conversation}: no changed field or member")]
    private static partial void LogNothingToChange(ILogger logger, string eventType, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId}: group {GroupId} is already gone in IM")]
    private static partial void LogAlreadyGone(ILogger logger, string eventType, string cloudEventId, string? groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId}: {Member} joins group {GroupId} once approved in IM")]
    private static partial void LogAwaitingApproval(ILogger logger, string eventType, string cloudEventId, string? groupId, string? member);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying {EventType} {CloudEventId} on {Conversation} failed (attempt {Attempt}), will retry: {Reason}")]
    private static partial void LogRetry(ILogger logger, string eventType, string cloudEventId, string conversation, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying {EventType} {CloudEventId} on {Conversation} failed permanently, moved to the error queue: {Reason}")]
    private static partial void LogFaulted(ILogger logger, string eventType, string cloudEventId, string conversation, string reason);
}
