using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Repair;
using SyncGateway.Events;

namespace SyncGateway.ToIm;

/// <summary>
/// The legacy → IM work on one delta: wait while the import still writes its conversation's history, drop it if it was
/// sent before the import cut-off, is already in IM under its legacy message id, or is the echo of our own
/// relay to legacy (<c>syncorigin</c> or content fingerprint), tag the IM echoes the write will cause, make the IM
/// calls (importing accounts IM does not know and calling once more, with <c>ToIm:ImportMissingAccounts</c>), read
/// their per-item results and record a message's IM id in the ledger. Every step is idempotent: the tags are written
/// once per event, the message ids are derived from the event, member adds and removals repeat as no-ops, an account
/// import of an existing account changes nothing and the ledger entry is the same each time, so a retry or redelivery
/// at any point neither loses nor doubles the delta; the steps around it are <see cref="RelaySteps"/>'.
/// </summary>
internal sealed partial class ImWriter(
    OriginTags tags,
    IImRestClient client,
    MessageLedger ledger,
    RepairState repair,
    GroupBaseline baseline,
    ConversationHolds holds,
    IOptions<SyncOptions> syncOptions,
    IOptions<ImOptions> imOptions,
    IOptions<ToImOptions> options,
    TimeProvider time,
    ILogger<ImWriter> logger)
{
    public async Task<RelayResult> ApplyAsync<TData>(IEventDeclaration<TData> declaration, ISyncEvent<TData> evt, CancellationToken cancellationToken)
        where TData : class
    {
        var meta = evt.Meta;
        await holds.WaitWhileHeldAsync(meta.Subject, meta.Type, meta.Id, cancellationToken);
        if (syncOptions.Value.ImportCutoffTime is { } cutoff && declaration.SentAt(meta, evt.Data) < cutoff)
        {
            return new RelayResult.Skipped(SyncTelemetry.Outcomes.Duplicate, "sent before the import cut-off, so imported");
        }

        var (data, echo) = await WithoutEchoesAsync(declaration, meta, evt.Data);
        if (data is null)
        {
            return new RelayResult.Echo(echo!, declaration is IMessageDeclaration<TData> echoed ? new MessageTarget(echoed.LegacyId(meta, evt.Data)) : null);
        }

        if (declaration is IMessageDeclaration<TData> message && await ledger.FindByLegacyIdAsync(message.LegacyId(meta, data)) is not null)
        {
            // The history import (or an earlier write of this message under another event id) put it in IM already.
            return new RelayResult.Skipped(SyncTelemetry.Outcomes.Duplicate, "already in IM under its legacy message id (imported, or written before)");
        }
        MessageTarget? ids = declaration is IMessageDeclaration<TData> delta ? new MessageTarget(delta.LegacyId(meta, data)) : null;
        if (declaration is IMessageReferenceDeclaration<TData> reference)
        {
            data = await WithImTargetAsync(reference, meta, data);
            ids = reference.Target(data);
        }

        var plan = declaration.ToIm(meta, data, new ImWriteSettings(imOptions.Value.ForbidCallbacksOnSend, options.Value, time.GetUtcNow()));
        if (plan.Calls.Count == 0)
        {
            return new RelayResult.Skipped(SyncTelemetry.Outcomes.Ignored, "no changed field or member");
        }

        // Before the call: IM may deliver the echo callback before it answers the call.
        await tags.ExpectImEchoesAsync(meta.Id, meta.Subject, plan.ExpectedEchoes);
        var answers = await CallAsync(meta, plan, cancellationToken);
        if (declaration is IMessageDeclaration<TData> written && written.FromImAnswer(meta, data, answers[0]) is { } entry)
        {
            await RecordAsync(meta, entry);
            ids = entry.Complete(new MessageTarget());
        }
        // IM's members or profile are what this write made them: the group state repair must not relay them back.
        if (await AfterDelivery.TryWriteAsync(() => baseline.SeenAsync(meta.Id, data), TimeProvider.System, CancellationToken.None) is { } baselineFailure)
        {
            LogBaselineNotWritten(logger, meta.Type, meta.Id, baselineFailure.Message);
        }
        return new RelayResult.Delivered(echo, ImAnswer(ids), ids);
    }

    /// <summary>IM's id of the message written, as the delivery ledger records IM's answer.</summary>
    private static string ImAnswer(MessageTarget? ids)
        => ids?.MsgKey is { } msgKey ? "IM MsgKey " + msgKey
            : ids?.MsgSeq is { } msgSeq ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"IM MsgSeq {msgSeq}")
            : "IM OK";

    /// <summary>
    /// The data naming its target message with IM's id from the ledger. The message's own delta went through the same
    /// conversation first, so a target still unknown was never relayed (or its ids expired): nothing to retry.
    /// </summary>
    private async Task<TData> WithImTargetAsync<TData>(IMessageReferenceDeclaration<TData> reference, EventMeta meta, TData data)
        where TData : class
    {
        var target = reference.Target(data);
        var complete = await ledger.FindAsync(target) is { } found ? found.Complete(target) : target;
        if (!reference.NamesImMessage(complete))
        {
            throw new PermanentFailureException(
                $"{meta.Type} {meta.Id}: the message it refers to ({Describe(target)}) is not in the message ledger: it was never relayed, " +
                $"or it is older than Ledger:MessageTtlDays, so its IM id is unknown");
        }
        return reference.WithTarget(data, complete);
    }

    private static string Describe(MessageTarget target)
        => string.Join(", ", new[]
        {
            target.LegacyMessageId is { } legacyId ? $"legacyMessageId {legacyId}" : null,
            target.MsgKey is { } msgKey ? $"msgKey {msgKey}" : null,
            target.MsgSeq is { } msgSeq ? $"group {target.GroupId} msgSeq {msgSeq}" : null,
        }.OfType<string>());

    /// <summary>
    /// IM has the message now: failing would send it again, past IM's duplicate window if the store stays away. So the
    /// ledger write gets a few quick tries and then the delta counts as applied without it (logged).
    /// </summary>
    private async Task RecordAsync(EventMeta meta, LedgerEntry entry)
    {
        // Seen too: its MsgSeq is no hole for the gap repair.
        if (await AfterDelivery.TryWriteAsync(() => Task.WhenAll(ledger.RecordAsync(entry), repair.MessageSeenAsync(entry)), TimeProvider.System, CancellationToken.None) is { } failure)
        {
            LogNotRecorded(logger, meta.Type, meta.Id, entry.LegacyMessageId, failure.Message);
        }
    }

    /// <summary>
    /// The delta without the parts that echo our relays, and why parts were dropped. A delta that names the relayed
    /// event in <c>syncorigin</c> is an echo as a whole, even when its tag has expired: the legacy system says so
    /// itself.
    /// </summary>
    private async Task<(TData? Data, string? Echo)> WithoutEchoesAsync<TData>(IEventDeclaration<TData> declaration, EventMeta meta, TData data)
        where TData : class
    {
        var fingerprints = declaration.LegacyEchoParts(data);
        if (meta.SyncOrigin is { } origin)
        {
            return (null, await tags.TakeLegacyOriginAsync(meta.Id, meta.Subject, origin, fingerprints) ? "syncorigin" : "syncorigin-untagged");
        }
        var suppressed = await tags.TakeLegacyEchoesAsync(meta.Id, meta.Subject, fingerprints);
        var rest = declaration.Without(data, suppressed);
        return rest is null ? (null, "fingerprint")
            : ReferenceEquals(rest, data) ? (data, null)
            : (rest, "partly-echo");
    }

    /// <summary>Makes the plan's calls in order; the answers, one per call (<c>default</c> for a group already gone).</summary>
    private async Task<IReadOnlyList<JsonElement>> CallAsync(EventMeta meta, ImWritePlan plan, CancellationToken cancellationToken)
    {
        var failed = new List<string>();
        var answers = new List<JsonElement>(plan.Calls.Count);
        foreach (var call in plan.Calls)
        {
            JsonElement answer;
            try
            {
                answer = await CallImportingMissingAccountsAsync(meta, call, cancellationToken);
            }
            catch (ImPermanentException ex) when (call.Api == ImApi.DestroyGroup && ImErrorClassification.Classify(ex.ErrorCode, ex.Api).GroupMissing)
            {
                // The desired state: a retry after an unseen success, or a group dismissed on the IM side as well.
                LogAlreadyGone(logger, meta.Type, meta.Id, call.GroupId);
                answers.Add(default);
                continue;
            }
            Read(meta, call, answer, failed);
            answers.Add(answer);
        }
        if (failed.Count > 0)
        {
            throw new PermanentFailureException(
                $"IM refused {failed.Count} item(s) of {meta.Type} {meta.Id}{(plan.Calls[0].GroupId is { } groupId ? $" in group {groupId}" : "")}: {string.Join(", ", failed)}");
        }
        return answers;
    }

    /// <summary>
    /// One call; when IM answers that an account it names was never imported (or, for <c>add_group_member</c>, that
    /// members were not added, which it answers per member without a reason), imports the call's accounts and calls
    /// once more. IM does not say which account is missing, so all of them are imported; importing an existing account
    /// is harmless. A second failure flows on as the first would have.
    /// </summary>
    private async Task<JsonElement> CallImportingMissingAccountsAsync(EventMeta meta, ImCall call, CancellationToken cancellationToken)
    {
        if (!options.Value.ImportMissingAccounts || call.Accounts is not { Count: > 0 } accounts)
        {
            return await client.CallAsync(call.Api, call.Body, cancellationToken);
        }
        IReadOnlyList<string> missing;
        try
        {
            var answer = await client.CallAsync(call.Api, call.Body, cancellationToken);
            missing = MissingAccounts(call, answer);
            if (missing.Count == 0)
            {
                return answer;
            }
        }
        catch (ImPermanentException ex) when (ImErrorClassification.Classify(ex.ErrorCode, ex.Api).Kind == ImErrorKind.AccountMissing)
        {
            missing = accounts;
        }
        LogImportingAccounts(logger, meta.Type, meta.Id, call.Api, missing.Count, missing);
        foreach (var account in missing.Distinct(StringComparer.Ordinal))
        {
            // account_import raises no IM callback, so there is no echo to tag.
            await client.CallAsync(ImApi.AccountImport, new AccountImportRequest(account), cancellationToken);
        }
        return await client.CallAsync(call.Api, call.Body, cancellationToken);
    }

    /// <summary>The accounts an OK answer reports as not there: members not added, friends IM does not know.</summary>
    private static List<string> MissingAccounts(ImCall call, JsonElement answer)
        => call.Api == ImApi.AddGroupMember
            ? [.. Items(answer, "MemberList", "Member_Account", "Result").Where(m => m.Code is not (1 or 2 or 3)).Select(m => m.Item)]
            : [.. ItemResults(call, answer).Where(r => ImErrorClassification.Classify(r.Code, call.Api).Kind == ImErrorKind.AccountMissing).Select(r => r.Item)];

    /// <summary>Per-item results of the APIs that answer OK for a batch and report each item's own error code in it.</summary>
    private static IEnumerable<(string Item, int Code)> ItemResults(ImCall call, JsonElement answer)
        => call.Api == ImApi.GroupMsgRecall ? Items(answer, "RecallRetList", "MsgSeq", "RetCode")
            : call.Api == ImApi.FriendAdd || call.Api == ImApi.FriendDelete ? Items(answer, "ResultItem", "To_Account", "ResultCode")
            : [];

    private static IEnumerable<(string Item, int Code)> Items(JsonElement answer, string list, string itemField, string codeField)
        => answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty(list, out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).Select(i => (
                i.TryGetProperty(itemField, out var name) ? (name.ValueKind == JsonValueKind.String ? name.GetString()! : name.GetRawText()) : "?",
                i.TryGetProperty(codeField, out var code) && code.ValueKind == JsonValueKind.Number && code.TryGetInt32(out var c) ? c : 0))
            : [];

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
        if (call.Api == ImApi.AddGroupMember)
        {
            foreach (var (account, result) in Items(answer, "MemberList", "Member_Account", "Result"))
            {
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
        foreach (var (item, code) in ItemResults(call, answer))
        {
            switch (ImErrorClassification.Classify(code, call.Api).Kind)
            {
                case ImErrorKind.Success or ImErrorKind.AlreadyDone:
                    break;
                case ImErrorKind.Transient:
                    // The whole call again: the items already done answer as done (a recall or a friend change repeats harmlessly).
                    throw new ImTransientException(call.Api, code, $"item {item} failed transiently");
                default:
                    failed.Add($"{call.Api} {item} (ErrorCode {code})");
                    break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId}: IM {Api} names {Count} account(s) IM may not have; importing {Accounts} and calling once more")]
    private static partial void LogImportingAccounts(ILogger logger, string eventType, string cloudEventId, ImApi api, int count, IReadOnlyList<string> accounts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{EventType} {CloudEventId}: IM has legacy message {LegacyMessageId} but its ids could not be recorded in the ledger ({Reason})")]
    private static partial void LogNotRecorded(ILogger logger, string eventType, string cloudEventId, string legacyMessageId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{EventType} {CloudEventId}: applied to IM, but the group state repair's baseline was not updated ({Reason}); its next check may relay the change to legacy as repaired")]
    private static partial void LogBaselineNotWritten(ILogger logger, string eventType, string cloudEventId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId}: group {GroupId} is already gone in IM")]
    private static partial void LogAlreadyGone(ILogger logger, string eventType, string cloudEventId, string? groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId}: {Member} joins group {GroupId} once approved in IM")]
    private static partial void LogAwaitingApproval(ILogger logger, string eventType, string cloudEventId, string? groupId, string? member);
}

/// <summary>Applies one legacy event type to IM; registered for each declared type.</summary>
internal sealed class ApplyToIm<TEvent, TData>(RelaySteps steps, ImWriter writer, IEventDeclaration<TData> declaration) : IConsumer<TEvent>, IParkedRelay
    where TEvent : class, ISyncEvent<TData>
    where TData : class
{
    public Task Consume(ConsumeContext<TEvent> context)
        => steps.RunAsync(RelayDirection.LegacyToIm, context, context.Message, cancellationToken => writer.ApplyAsync(declaration, context.Message, cancellationToken));

    public Task RelayParkedAsync(ISyncEvent evt, int attempt, CancellationToken cancellationToken)
        => steps.RelayAsync(RelayDirection.LegacyToIm, evt, attempt, cancellationToken => writer.ApplyAsync(declaration, (TEvent)evt, cancellationToken), cancellationToken);
}
