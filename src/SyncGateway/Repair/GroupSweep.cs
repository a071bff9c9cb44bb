using SyncGateway.Im;

namespace SyncGateway.Repair;

/// <summary>
/// The group part of a repair, shared by the automatic rounds (<see cref="RepairWorker"/>) and the <c>repair</c>
/// command: the tail check (IM's newest seq of each group, 50 groups a <c>get_group_info</c> call, so a lost newest
/// message shows as a hole too) and the repair of a group's open holes under its lock.
/// </summary>
internal sealed class GroupSweep(RepairState state, GroupRepairer repairer, GroupStateRepairer groupStates, IImRestClient im)
{
    private const int GroupsPerInfoCall = 50;

    // Longer than one group's repair can take; another replica takes the group over only if this one died meanwhile.
    private static readonly TimeSpan LockTtl = TimeSpan.FromMinutes(5);

    /// <summary>Names this process in the store's locks.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Records IM's newest seq of each of <paramref name="groups"/> (its unseen seqs become holes); a group gone from IM is forgotten.</summary>
    public async Task CheckTailsAsync(IEnumerable<GroupRef> groups, RepairReport report, CancellationToken cancellationToken)
    {
        foreach (var (group, newest) in await NewestSeqsAsync(groups, report, cancellationToken))
        {
            await (newest is { } seq ? state.GroupHasMessagesUpToAsync(group, seq) : state.ForgetGroupAsync(group));
        }
    }

    /// <summary>
    /// IM's newest seq of each of <paramref name="groups"/> that has messages; null for a group gone from IM. Topics are
    /// left out: each counts its own seqs, which <c>get_group_info</c> does not report (their holes show when a later
    /// message comes).
    /// </summary>
    public async Task<IReadOnlyDictionary<GroupRef, long?>> NewestSeqsAsync(IEnumerable<GroupRef> groups, RepairReport report, CancellationToken cancellationToken)
    {
        var newest = new Dictionary<GroupRef, long?>();
        foreach (var chunk in groups.Where(g => g.TopicId is null).Distinct().Chunk(GroupsPerInfoCall))
        {
            report.Called(ImApi.GetGroupInfo);
            var answer = GroupInfoAnswer.Read(await im.CallAsync(ImApi.GetGroupInfo,
                new GetGroupInfoRequest([.. chunk.Select(g => g.GroupId)], new GroupInfoFilter(["NextMsgSeq"])), cancellationToken));
            foreach (var info in answer.GroupInfo ?? [])
            {
                if (info?.GroupId is not { } groupId || chunk.FirstOrDefault(g => g.GroupId == groupId) is not { } group)
                {
                    continue;
                }
                if (info.ErrorCode is { } code && ImHistory.IsGroupGone(code))
                {
                    newest[group] = null;
                }
                else if (info.ErrorCode is null or 0 && info.NextMsgSeq is > 1 and var next)
                {
                    newest[group] = next - 1;
                }
            }
        }
        return newest;
    }

    /// <summary>
    /// The open holes of <paramref name="group"/>, with the seqs a tail check up to <paramref name="newestSeq"/> would
    /// open, recording nothing: what a dry run looks at.
    /// </summary>
    public async Task<IReadOnlyCollection<long>> HolesAsync(GroupRef group, long? newestSeq, int maxHolesPerJump)
    {
        if (await state.SequenceAsync(group) is not { } sequence)
        {
            // Nothing seen of the group yet: a tail check opens nothing before a first seen seq either.
            return [];
        }
        var holes = new SortedSet<long>(sequence.Holes.Keys);
        if (newestSeq is { } newest && newest > sequence.Highest)
        {
            for (var seq = Math.Max(sequence.Highest + 1, newest - maxHolesPerJump + 1); seq <= newest; seq++)
            {
                holes.Add(seq);
            }
        }
        return holes;
    }

    /// <summary>
    /// Repairs the holes of <paramref name="group"/> found at or before <paramref name="foundBy"/>. When a hole was a
    /// group tip (the trace of a member or profile change, whose own callback may be lost too), its members and profile
    /// are compared with IM's now with <paramref name="compareState"/>, else the group is filed for that comparison
    /// (<see cref="CompareDueStatesAsync"/>). False when another process holds the group's lock.
    /// </summary>
    public async Task<bool> RepairHolesAsync(GroupRef group, DateTimeOffset foundBy, bool compareState, RepairReport report, CancellationToken cancellationToken)
    {
        if (!await state.TryLockAsync(group, Owner, LockTtl))
        {
            return false;
        }
        try
        {
            var sequence = await state.SequenceAsync(group);
            var due = sequence?.Holes.Where(h => h.Value <= foundBy.ToUnixTimeMilliseconds()).Select(h => h.Key).ToList() ?? [];
            if (due.Count > 0)
            {
                var repaired = await repairer.RepairAsync(group, due, dryRun: false, cancellationToken);
                report.Merge(repaired);
                if (repaired.Count(RepairOutcome.System) > 0)
                {
                    await (compareState ? CompareStateAsync(group, report, cancellationToken) : state.StateComparisonDueAsync(group));
                }
            }
            else
            {
                // Nothing due (closed meanwhile, or only newer holes): the close re-files the group under its oldest hole.
                await state.CloseAsync(group, []);
            }
            return true;
        }
        finally
        {
            await state.UnlockAsync(group);
        }
    }

    /// <summary>Compares the state of the groups filed for it (a tip was found while the comparison had to wait), each under its lock.</summary>
    public async Task CompareDueStatesAsync(int take, RepairReport report, CancellationToken cancellationToken)
    {
        foreach (var group in await state.GroupsWithStateComparisonDueAsync(take))
        {
            if (!await state.TryLockAsync(group, Owner, LockTtl))
            {
                continue;
            }
            try
            {
                await CompareStateAsync(group, report, cancellationToken);
            }
            finally
            {
                await state.UnlockAsync(group);
            }
        }
    }

    private async Task CompareStateAsync(GroupRef group, RepairReport report, CancellationToken cancellationToken)
    {
        report.Merge(await groupStates.RepairAsync(group, dryRun: false, cancellationToken));
        await state.StateComparedAsync(group);
    }
}
