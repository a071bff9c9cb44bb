using Microsoft.Extensions.Options;
using SyncGateway.Messaging;

namespace SyncGateway.Repair;

/// <summary>
/// The automatic repair, every <c>Repair:IntervalSeconds</c>: the tail check (one replica per interval asks IM for the
/// newest seq of every recently active group, 50 groups a call, so a lost newest message shows as a hole too), then the
/// groups whose holes outlived the grace period (one replica at a time per group; a group whose holes include group
/// tips, the trace of member or profile changes, then gets its state compared with IM's), then the 1:1 window of this
/// process's own callback errors, or of its predecessor's crash (<see cref="Heartbeat"/>), once it has settled.
/// </summary>
internal sealed partial class RepairWorker(
    RepairState state,
    GroupSweep groups,
    C2CRepairer conversations,
    MissedCallbacks missed,
    RelayHealth health,
    Heartbeat heartbeat,
    IOptions<RepairOptions> options,
    TimeProvider time,
    ILogger<RepairWorker> logger) : BackgroundService
{
    // How far a missed-callback window reaches back: a callback comes after its message was sent, and IM waits for it.
    private static readonly TimeSpan WindowLead = TimeSpan.FromMinutes(1);

    private RepairOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (heartbeat.Previous() is { } lastAlive)
        {
            // The previous process died: callbacks it was answering, and those sent until this one listened, are lost.
            LogUncleanStart(logger, lastAlive);
            missed.Note(lastAlive);
            missed.Note(time.GetUtcNow());
        }
        heartbeat.Beat(time.GetUtcNow());
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Options.IntervalSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                heartbeat.Beat(time.GetUtcNow());
                await RunOnceAsync(stoppingToken);
            }
#pragma warning disable CA1031 // A failed round (IM or the store away) is logged; the next interval tries again.
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
            {
                LogRoundFailed(logger, ex.Message);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        heartbeat.Clear();
    }

    /// <summary>One round: tail check, due groups, settled 1:1 window; returns what it did.</summary>
    public async Task<RepairReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var report = new RepairReport();
        if (await state.TryTakeTailCheckAsync(groups.Owner, TimeSpan.FromSeconds(Options.IntervalSeconds)))
        {
            await CheckTailsAsync(report, cancellationToken);
        }
        await RepairDueGroupsAsync(report, cancellationToken);
        await RepairMissedWindowAsync(report, cancellationToken);
        await state.TrimAsync();
        if (report.Total > 0)
        {
            LogRound(logger, report);
        }
        return report;
    }

    private async Task CheckTailsAsync(RepairReport report, CancellationToken cancellationToken)
    {
        // Messages still queued behind a slow or failing legacy side would look missing.
        if (health.IsBehind(RelayDirection.ImToLegacy, Options.GracePeriod))
        {
            LogTailCheckSkipped(logger);
            return;
        }
        await groups.CheckTailsAsync(await state.ActiveGroupsAsync(time.GetUtcNow() - TimeSpan.FromHours(Options.ActiveGroupHours), int.MaxValue),
            report, cancellationToken);
    }

    private async Task RepairDueGroupsAsync(RepairReport report, CancellationToken cancellationToken)
    {
        var dueBy = time.GetUtcNow() - Options.GracePeriod;
        foreach (var group in await state.GroupsWithHolesAsync(dueBy, Options.GroupsPerInterval))
        {
            // A group another replica is repairing is left to it. A tip's member or profile change has a callback of its
            // own, which may be lost too; one still queued behind a slow legacy side would look lost, so the comparison
            // of the group's state waits for a round the relay keeps up.
            await groups.RepairHolesAsync(group, dueBy, !health.IsBehind(RelayDirection.ImToLegacy, Options.GracePeriod), report, cancellationToken);
        }
        if (!health.IsBehind(RelayDirection.ImToLegacy, Options.GracePeriod))
        {
            await groups.CompareDueStatesAsync(Options.GroupsPerInterval, report, cancellationToken);
        }
    }

    private async Task RepairMissedWindowAsync(RepairReport report, CancellationToken cancellationToken)
    {
        if (missed.TakeSettled(time.GetUtcNow() - Options.GracePeriod) is not { } window)
        {
            return;
        }
        try
        {
            LogWindow(logger, window.From, window.To);
            report.Merge(await conversations.RepairAsync(window.From - WindowLead, window.To, null, dryRun: false, null, cancellationToken));
        }
        catch
        {
            missed.Restore(window);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gap repair round: {Report}")]
    private static partial void LogRound(ILogger logger, RepairReport report);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gap repair: callbacks were answered with errors from {From:O} to {To:O}; reading the 1:1 history of that window")]
    private static partial void LogWindow(ILogger logger, DateTimeOffset from, DateTimeOffset to);

    [LoggerMessage(Level = LogLevel.Information, Message = "Gap repair: tail check skipped this round, the relay to legacy is behind (its queued messages would look missing)")]
    private static partial void LogTailCheckSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gap repair: the previous gateway process here did not stop cleanly (last alive {LastAlive:O}); the 1:1 history from then to now will be repaired")]
    private static partial void LogUncleanStart(ILogger logger, DateTimeOffset lastAlive);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gap repair round failed, the next one retries: {Reason}")]
    private static partial void LogRoundFailed(ILogger logger, string reason);
}
