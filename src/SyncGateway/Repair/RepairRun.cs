using Microsoft.Extensions.Options;

namespace SyncGateway.Repair;

/// <summary>
/// One run of the <c>repair</c> command. Groups: the named ones, or every group with open holes and every recently
/// active one; each is tail-checked and all its open holes are repaired now, with no grace period (holes are exact, so
/// the window does not bound them). 1:1: the named conversations, or every one active since
/// <c>Repair:ConversationLookbackHours</c> before the window, read from IM's history over the window. A named group's
/// members and profile are also compared with IM's (on request); another group's only when a hole was a group tip.
/// </summary>
internal sealed class RepairRun(
    RepairState state,
    GroupSweep sweep,
    GroupRepairer groupRepairer,
    GroupStateRepairer groupStates,
    C2CRepairer c2cRepairer,
    IOptions<RepairOptions> options,
    TimeProvider time)
{
    private readonly List<GroupRef> _busy = [];

    public RepairPart Groups { get; } = new("groups");

    public RepairPart Conversations { get; } = new("1:1 conversations");

    public RepairReport Report { get; } = new();

    /// <summary>Groups left to a gateway replica that held their repair lock (it is repairing them).</summary>
    public IReadOnlyList<GroupRef> Busy => _busy;

    public async Task RunAsync(RepairRequest request, CancellationToken cancellationToken)
    {
        if (request.RunsGroups)
        {
            await RepairGroupsAsync(request, cancellationToken);
        }
        if (request.RunsConversations)
        {
            var pairs = request.Conversations ?? await c2cRepairer.ActiveConversationsAsync(request.From);
            Conversations.Start(pairs.Count);
            Report.Merge(await c2cRepairer.RepairAsync(request.From, request.To, pairs, request.DryRun, Conversations, cancellationToken));
            Conversations.Finish();
        }
    }

    private async Task RepairGroupsAsync(RepairRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var withHoles = await state.GroupsWithHolesAsync(now, int.MaxValue);
        List<GroupRef> checkTails, targets;
        if (request.Groups is { } named)
        {
            var ids = named.ToHashSet(StringComparer.Ordinal);
            checkTails = [.. ids.Select(id => new GroupRef(id))];
            // A named group's topics count their own seqs: their open holes are the group's too.
            targets = [.. checkTails.Concat(withHoles.Where(g => ids.Contains(g.GroupId))).Distinct()];
        }
        else
        {
            checkTails = [.. await state.ActiveGroupsAsync(now - TimeSpan.FromHours(options.Value.ActiveGroupHours), int.MaxValue)];
            targets = [.. withHoles.Concat(checkTails).Distinct()];
        }
        Groups.Start(targets.Count);
        if (request.DryRun)
        {
            // Records nothing: holes the gateway's own repair would act on must not come from a dry run.
            var newest = await sweep.NewestSeqsAsync(checkTails, Report, cancellationToken);
            foreach (var group in targets)
            {
                var seqs = await sweep.HolesAsync(group, newest.GetValueOrDefault(group), options.Value.MaxHolesPerJump);
                if (seqs.Count > 0)
                {
                    Report.Merge(await groupRepairer.RepairAsync(group, seqs, dryRun: true, cancellationToken));
                }
                if (IsNamed(request, group))
                {
                    Report.Merge(await groupStates.RepairAsync(group, dryRun: true, cancellationToken));
                }
                Groups.Report(1);
            }
        }
        else
        {
            await sweep.CheckTailsAsync(checkTails, Report, cancellationToken);
            foreach (var group in targets)
            {
                if (!await sweep.RepairHolesAsync(group, time.GetUtcNow(), compareState: true, Report, cancellationToken))
                {
                    _busy.Add(group);
                }
                else if (IsNamed(request, group))
                {
                    Report.Merge(await groupStates.RepairAsync(group, dryRun: false, cancellationToken));
                }
                Groups.Report(1);
            }
        }
        Groups.Finish();
    }

    private static bool IsNamed(RepairRequest request, GroupRef group) => group.TopicId is null && request.Groups?.Contains(group.GroupId) == true;
}
