using Microsoft.Extensions.Options;
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
/// Repairs 1:1 messages of a time window. 1:1 <c>MsgSeq</c> is the sender's choice and reveals no gap, so the repair
/// reads the history of each conversation the gateway saw active (<c>admin_getroammsg</c>, paged backwards) and
/// publishes every message neither relayed nor written by the gateway, keyed on <c>MsgKey</c>, with the id its
/// callback would have had.
/// </summary>
/// <remarks>
/// Per-conversation reads rather than IM's hourly dump (<c>get_history</c>): the windows the gateway repairs are
/// minutes around an intake error or a crash, usually less than an hour old (the dump comes about an hour late), and
/// touch the conversations active then, a small share of all; the dump would be downloaded and parsed whole for every
/// hour a window touches. It is the better source only for a window hours long over most of the app's conversations.
/// </remarks>
internal sealed partial class C2CRepairer(
    IImRestClient im,
    MessageLedger ledger,
    RepairPublisher publisher,
    ImCallbackParser parser,
    RepairState state,
    IOptions<RepairOptions> options,
    SyncTelemetry telemetry,
    TimeProvider time,
    ILogger<C2CRepairer> logger)
{
    public const string Kind = "c2c";

    // Messages asked per page; IM caps a page at about 13 KB whatever is asked.
    private const int PageSize = 100;

    // A conversation's pages in one window: bounded, so a history that never reports Complete cannot loop forever.
    private const int MaxPages = 10_000;

    private static readonly C2CMessageDeclaration Messages = EventCatalog.Get<C2CMessageDeclaration>();

    /// <summary>
    /// Repairs [<paramref name="from"/>, <paramref name="to"/>] (whole seconds, both ends inclusive) for
    /// <paramref name="conversations"/>, or for every conversation the gateway saw active since
    /// <c>Repair:ConversationLookbackHours</c> before <paramref name="from"/>.
    /// </summary>
    public async Task<RepairReport> RepairAsync(
        DateTimeOffset from, DateTimeOffset to, IReadOnlyList<C2CPair>? conversations, bool dryRun, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        conversations ??= await ActiveConversationsAsync(from);
        var report = new RepairReport();
        long done = 0;
        await Parallel.ForEachAsync(conversations, new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken },
            async (pair, ct) =>
            {
                await RepairConversationAsync(pair, from.ToUnixTimeSeconds(), to.ToUnixTimeSeconds(), dryRun, report, ct);
                progress?.Report(Interlocked.Increment(ref done));
            });
        return report;
    }

    /// <summary>The conversations the gateway saw active since <c>Repair:ConversationLookbackHours</c> before <paramref name="from"/>.</summary>
    public Task<IReadOnlyList<C2CPair>> ActiveConversationsAsync(DateTimeOffset from)
        => state.ConversationsActiveSinceAsync(from - TimeSpan.FromHours(options.Value.ConversationLookbackHours), int.MaxValue);

    private async Task RepairConversationAsync(C2CPair pair, long minTime, long maxTime, bool dryRun, RepairReport report, CancellationToken cancellationToken)
    {
        string? lastMsgKey = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var page = 0; page < MaxPages; page++)
        {
            RoamMsgAnswer answer;
            try
            {
                report.Called(ImApi.AdminGetRoamMsg);
                answer = RoamMsgAnswer.Read(await im.CallAsync(ImApi.AdminGetRoamMsg,
                    new AdminGetRoamMsgRequest(pair.A, pair.B, PageSize, minTime, maxTime, lastMsgKey), cancellationToken));
            }
            catch (ImPermanentException ex) when (ImHistory.IsAccountMissing(ex.ErrorCode))
            {
                LogAccountMissing(logger, pair, ex.ErrorCode);
                return;
            }
            foreach (var item in answer.MsgList ?? [])
            {
                if (item is not null && (item.MsgKey is null || seen.Add(item.MsgKey)))
                {
                    var outcome = await DecideAsync(item, dryRun, cancellationToken);
                    report.Add(outcome, $"msgKey {item.MsgKey}");
                    telemetry.RecordRepair(Kind, RepairReport.Names.Of(outcome));
                }
            }
            if (answer.Complete == 1 || answer.MsgList is not { Count: > 0 } || answer.LastMsgKey is not { Length: > 0 } next
                || answer.LastMsgTime is not { } nextMaxTime || (next == lastMsgKey && nextMaxTime == maxTime))
            {
                return;
            }
            (lastMsgKey, maxTime) = (next, nextMaxTime);
        }
    }

    private async Task<RepairOutcome> DecideAsync(RoamMsgItem item, bool dryRun, CancellationToken cancellationToken)
    {
        if ((item.MsgFlagBits & RoamMsgItem.FlagRecalled) != 0)
        {
            return RepairOutcome.Recalled;
        }
        var known = item.MsgKey is { } msgKey ? await ledger.FindByMsgKeyAsync(msgKey) : null;
        if (known is null && item is { FromAccount: { } from, ToAccount: { } to, MsgRandom: { } random, MsgTimeStamp: { } msgTime })
        {
            known = await ledger.FindByC2CIdsAsync(from, to, random, msgTime);
        }
        if (RepairPublisher.Known(known) is { } outcome)
        {
            return outcome;
        }
        ImC2CMessageSent evt;
        try
        {
            evt = Messages.FromHistory(item, parser.HistoryContext(time.GetUtcNow()));
        }
        catch (InvalidCallbackException ex)
        {
            LogUnrepairable(logger, item.MsgKey, ex.Message);
            return RepairOutcome.Unrepairable;
        }
        var published = await publisher.PublishUnlessRelayedAsync(evt, dryRun, cancellationToken);
        if (published == RepairOutcome.Repaired)
        {
            LogRepaired(logger, item.MsgKey, evt.Meta.Subject, evt.Meta.Id);
        }
        return published;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Repaired 1:1 message {MsgKey} on {Conversation}: its callback never came; relaying it from IM's history as {CloudEventId}")]
    private static partial void LogRepaired(ILogger logger, string? msgKey, string conversation, string cloudEventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "1:1 message {MsgKey} cannot be repaired: its history item {Reason}")]
    private static partial void LogUnrepairable(ILogger logger, string? msgKey, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The 1:1 history of {Conversation} cannot be read: an account is not in IM (ErrorCode {ErrorCode})")]
    private static partial void LogAccountMissing(ILogger logger, C2CPair conversation, int errorCode);
}
