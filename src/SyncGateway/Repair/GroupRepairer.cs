using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.FromIm;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.Repair;

/// <summary>
/// Repairs the missing seqs of one group: reads them from IM's history (<c>group_msg_get_simple</c>, ≤ 20 seqs a call,
/// recalled ones included), classifies each (group tip, deleted, recalled, the gateway's own write, relayed already)
/// and publishes every message never relayed into the relay path as the event its callback would have produced: the
/// same id, so the relay's dedupe drops whichever of a late callback and the repaired copy comes second.
/// </summary>
internal sealed partial class GroupRepairer(
    IImRestClient im,
    MessageLedger ledger,
    RepairPublisher publisher,
    ImCallbackParser parser,
    RepairState state,
    SyncTelemetry telemetry,
    TimeProvider time,
    ILogger<GroupRepairer> logger)
{
    public const string Kind = "group";

    private static readonly GroupMessageDeclaration Messages = EventCatalog.Get<GroupMessageDeclaration>();

    /// <summary>
    /// Classifies and repairs <paramref name="seqs"/> of <paramref name="group"/>, then closes them (a dry run publishes
    /// and closes nothing). An IM error a retry may fix leaves them open for the next run.
    /// </summary>
    public async Task<RepairReport> RepairAsync(GroupRef group, IReadOnlyCollection<long> seqs, bool dryRun, CancellationToken cancellationToken)
    {
        var report = new RepairReport();
        var pending = new SortedSet<long>(seqs);
        var handled = new List<long>(pending.Count);
        try
        {
            while (pending.Count > 0)
            {
                var first = pending.Min;
                var last = pending.GetViewBetween(first, first + GroupMsgGetSimpleRequest.MaxMessages - 1).Max;
                var (items, expired) = await ReadAsync(group, first, last, report, cancellationToken);
                foreach (var seq in pending.GetViewBetween(first, last).ToList())
                {
                    var outcome = await ClassifyAsync(group, seq, items.GetValueOrDefault(seq), expired, dryRun, report, cancellationToken);
                    telemetry.RecordRepair(Kind, RepairReport.Names.Of(outcome));
                    pending.Remove(seq);
                    handled.Add(seq);
                }
            }
        }
        catch (ImPermanentException ex) when (ImHistory.IsGroupGone(ex.ErrorCode))
        {
            LogGroupGone(logger, group, ex.ErrorCode, pending.Count);
            foreach (var _ in pending)
            {
                report.Add(RepairOutcome.Unrepairable);
            }
            telemetry.RecordRepair(Kind, RepairReport.Names.Of(RepairOutcome.Unrepairable), pending.Count);
            if (!dryRun)
            {
                await state.ForgetGroupAsync(group);
            }
            return report;
        }
        finally
        {
            // What was classified stays classified, even when a later read failed.
            if (!dryRun && handled.Count > 0)
            {
                await state.CloseAsync(group, handled);
            }
        }
        return report;
    }

    /// <summary>The history items of seqs [<paramref name="first"/>, <paramref name="last"/>], following IM's paging when it cuts an answer short.</summary>
    private async Task<(Dictionary<long, GroupHistoryItem> Items, bool Expired)> ReadAsync(
        GroupRef group, long first, long last, RepairReport report, CancellationToken cancellationToken)
    {
        var items = new Dictionary<long, GroupHistoryItem>();
        var top = last;
        while (top >= first)
        {
            report.Called(ImApi.GroupMsgGetSimple);
            var answer = GroupHistoryAnswer.Read(await im.CallAsync(ImApi.GroupMsgGetSimple,
                new GroupMsgGetSimpleRequest(group.GroupId, top, (int)(top - first + 1), WithRecalledMsg: 1, group.TopicId), cancellationToken));
            long? lowest = null;
            foreach (var item in answer.RspMsgList ?? [])
            {
                if (item?.MsgSeq is { } seq && seq >= first && seq <= top)
                {
                    items[seq] = item;
                    lowest = Math.Min(lowest ?? seq, seq);
                }
            }
            if (answer.IsFinished == GroupHistoryAnswer.CutShortExpired)
            {
                return (items, true);
            }
            if (answer.IsFinished == 1 || lowest is null)
            {
                break;
            }
            top = lowest.Value - 1;
        }
        return (items, false);
    }

    private async Task<RepairOutcome> ClassifyAsync(
        GroupRef group, long seq, GroupHistoryItem? item, bool expired, bool dryRun, RepairReport report, CancellationToken cancellationToken)
    {
        var outcome = await DecideAsync(group, seq, item, expired, dryRun, cancellationToken);
        report.Add(outcome, $"group {group.GroupId}{(group.TopicId is null ? "" : $" topic {group.TopicId}")} msgSeq {seq}");
        return outcome;
    }

    private async Task<RepairOutcome> DecideAsync(GroupRef group, long seq, GroupHistoryItem? item, bool expired, bool dryRun, CancellationToken cancellationToken)
    {
        switch (item)
        {
            case null:
                LogUnrepairable(logger, group, seq, expired ? "expired from IM's roaming history" : "not listed in IM's history");
                return RepairOutcome.Unrepairable;
            case { IsSystemMsg: 1 }:
                return RepairOutcome.System;
            case { IsPlaceMsg: GroupHistoryItem.PlaceHole }:
                LogUnrepairable(logger, group, seq, "deleted, expired or not stored (IsPlaceMsg 1)");
                return RepairOutcome.Unrepairable;
            case { IsPlaceMsg: GroupHistoryItem.PlaceRecalled }:
                return RepairOutcome.Recalled;
        }

        if (RepairPublisher.Known(await ledger.FindByGroupSeqAsync(group.GroupId, seq, group.TopicId)) is { } known)
        {
            return known;
        }
        ImGroupMessageSent evt;
        try
        {
            evt = Messages.FromHistory(group.GroupId, group.TopicId, item, parser.HistoryContext(time.GetUtcNow()));
        }
        catch (Exception ex) when (ex is InvalidCallbackException or System.Text.Json.JsonException)
        {
            LogUnrepairable(logger, group, seq, $"its history item is unreadable: {ex.Message}");
            return RepairOutcome.Unrepairable;
        }
        var outcome = await publisher.PublishUnlessRelayedAsync(evt, dryRun, cancellationToken);
        if (outcome == RepairOutcome.Repaired)
        {
            LogRepaired(logger, group, seq, evt.Meta.Id);
        }
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Repaired group {Group} msgSeq {MsgSeq}: its callback never came; relaying it from IM's history as {CloudEventId}")]
    private static partial void LogRepaired(ILogger logger, GroupRef group, long msgSeq, string cloudEventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} msgSeq {MsgSeq} cannot be repaired: {Reason}")]
    private static partial void LogUnrepairable(ILogger logger, GroupRef group, long msgSeq, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {Group} is gone from IM (ErrorCode {ErrorCode}): its {Count} open holes are closed unrepaired")]
    private static partial void LogGroupGone(ILogger logger, GroupRef group, int errorCode, int count);
}
