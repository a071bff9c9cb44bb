using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.FromIm;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.Repair;

/// <summary>
/// Repairs a group's lost member and profile callbacks: reads IM's current members (<c>get_group_member_info</c>, paged)
/// and profile (<c>get_group_info</c>), compares them with the <see cref="GroupBaseline"/> of what was last relayed and
/// publishes into the relay path, marked repaired, one members-joined event for the members IM has and the baseline
/// not, one members-left event for the reverse and one profile-changed event with the fields that differ. Their ids
/// are deterministic, so a second replica or round publishing the same difference is dropped by the relay's dedupe.
/// A group without a baseline yet (first seen mid-history, or its baseline expired) gets IM's current state recorded as
/// its baseline and nothing published: what happened before is the import's business. A group gone from IM loses its
/// baseline. A dry run publishes and records nothing.
/// </summary>
internal sealed partial class GroupStateRepairer(
    IImRestClient im,
    GroupBaseline baseline,
    RepairPublisher publisher,
    ImCallbackParser parser,
    SyncTelemetry telemetry,
    TimeProvider time,
    ILogger<GroupStateRepairer> logger)
{
    public const string Kind = "group-state";

    // A page read while members join or leave can skip or repeat one; the read starts over this many times.
    private const int ReadAttempts = 3;

    private static readonly GroupMembersJoinedDeclaration Joins = EventCatalog.Get<GroupMembersJoinedDeclaration>();
    private static readonly GroupMembersLeftDeclaration Exits = EventCatalog.Get<GroupMembersLeftDeclaration>();
    private static readonly GroupProfileChangedDeclaration Profiles = EventCatalog.Get<GroupProfileChangedDeclaration>();

    // The get_group_info fields of GroupBaseline.ProfileFields, in its order, plus the type the events carry and the profile's version.
    private static readonly IReadOnlyList<string> InfoFilter = ["Type", "Name", "Introduction", "Notification", "FaceUrl", "InfoSeq"];

    /// <summary>Compares the group of <paramref name="group"/> (a topic's community) with its baseline and repairs the difference.</summary>
    public async Task<RepairReport> RepairAsync(GroupRef group, bool dryRun, CancellationToken cancellationToken)
    {
        var report = new RepairReport();
        var groupId = group.GroupId;
        GroupInfoItem info;
        Dictionary<string, long?>? members;
        try
        {
            info = await ReadInfoAsync(groupId, report, cancellationToken);
            members = await ReadMembersAsync(groupId, report, cancellationToken);
        }
        catch (ImPermanentException ex) when (ImHistory.IsGroupGone(ex.ErrorCode))
        {
            LogGroupGone(logger, groupId, ex.ErrorCode);
            if (!dryRun)
            {
                await baseline.ForgetAsync(groupId);
            }
            return report;
        }
        if (members is null)
        {
            LogMembersMoving(logger, groupId, ReadAttempts);
            Record(report, RepairOutcome.Unrepairable, null);
            return report;
        }

        var profile = Profile(info);
        if (await baseline.GetAsync(groupId) is not { } known)
        {
            if (!dryRun)
            {
                await baseline.UpdateAsync(groupId, members.Select(m => (m.Key, Stamp(m.Value))), [], profile);
                LogBaselineRecorded(logger, groupId, members.Count);
            }
            return report;
        }

        var context = parser.HistoryContext(time.GetUtcNow());
        var joined = members.Where(m => !known.Members.ContainsKey(m.Key))
            .OrderBy(m => m.Value).ThenBy(m => m.Key, StringComparer.Ordinal).Select(m => (m.Key, m.Value)).ToList();
        var left = known.Members.Where(m => !members.ContainsKey(m.Key))
            .OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => (m.Key, m.Value)).ToList();
        var changed = profile.Where(p => known.Profile.TryGetValue(p.Field, out var before) && before != GroupBaseline.Fingerprint(p.Value)).ToList();

        if (!dryRun && (joined.Count > 0 || left.Count > 0))
        {
            await baseline.RepairingAsync(groupId, [.. joined.Select(m => m.Key)], [.. left.Select(m => m.Key)]);
        }
        if (joined.Count > 0)
        {
            var evt = Joins.FromRepair(groupId, info.Type, joined, context);
            await PublishAsync(evt, $"group {groupId} joined {string.Join(", ", joined.Select(m => m.Key))}", dryRun, report, cancellationToken);
        }
        if (left.Count > 0)
        {
            await PublishAsync(Exits.FromRepair(groupId, info.Type, left, context),
                $"group {groupId} left {string.Join(", ", left.Select(m => m.Key))}", dryRun, report, cancellationToken);
        }
        if (changed.Count > 0)
        {
            var data = new GroupProfileChangedData(groupId, info.Type,
                Name: Changed(changed, "name"), Introduction: Changed(changed, "introduction"),
                Notification: Changed(changed, "notification"), FaceUrl: Changed(changed, "faceUrl"));
            await PublishAsync(Profiles.FromRepair(data, info.InfoSeq, known.Profile, context),
                $"group {groupId} profile {string.Join(", ", changed.Select(c => c.Field))}", dryRun, report, cancellationToken);
        }

        if (!dryRun)
        {
            // The fields the baseline did not know yet are recorded too. The members are the repaired events' to record as
            // they are relayed, so a callback relayed first, being late, makes its repaired copy a duplicate.
            await baseline.UpdateAsync(groupId, [], [], profile.Where(p => !known.Profile.ContainsKey(p.Field) || changed.Contains(p)));
        }
        return report;
    }

    private async Task<GroupInfoItem> ReadInfoAsync(string groupId, RepairReport report, CancellationToken cancellationToken)
    {
        report.Called(ImApi.GetGroupInfo);
        var answer = GroupInfoAnswer.Read(await im.CallAsync(ImApi.GetGroupInfo,
            new GetGroupInfoRequest([groupId], new GroupInfoFilter(InfoFilter)), cancellationToken));
        var info = answer.GroupInfo?.FirstOrDefault(i => i?.GroupId == groupId)
                   ?? throw new ImPermanentException(ImApi.GetGroupInfo, -1, $"the answer has no item for group {groupId}");
        return info.ErrorCode is null or 0 ? info : throw new ImPermanentException(ImApi.GetGroupInfo, info.ErrorCode.Value, $"group {groupId}");
    }

    /// <summary>IM's members (account → <c>JoinTime</c>); null when the list kept moving while it was paged through.</summary>
    private async Task<Dictionary<string, long?>?> ReadMembersAsync(string groupId, RepairReport report, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= ReadAttempts; attempt++)
        {
            var members = new Dictionary<string, long?>(StringComparer.Ordinal);
            int? memberNum;
            var offset = 0;
            while (true)
            {
                report.Called(ImApi.GetGroupMemberInfo);
                var page = GroupMemberInfoAnswer.Read(await im.CallAsync(ImApi.GetGroupMemberInfo,
                    new GetGroupMemberInfoRequest(groupId, ["Member_Account", "JoinTime"], GetGroupMemberInfoRequest.MaxLimit, offset), cancellationToken));
                var list = page.MemberList ?? [];
                foreach (var member in list)
                {
                    if (member?.MemberAccount is { Length: > 0 } account)
                    {
                        members[account] = member.JoinTime;
                    }
                }
                memberNum = page.MemberNum;
                offset += list.Count;
                if (list.Count < GetGroupMemberInfoRequest.MaxLimit || offset >= memberNum)
                {
                    break;
                }
            }
            if (memberNum is null || members.Count == memberNum)
            {
                return members;
            }
        }
        return null;
    }

    private async Task PublishAsync(ISyncEvent evt, string item, bool dryRun, RepairReport report, CancellationToken cancellationToken)
    {
        var outcome = await publisher.PublishUnlessRelayedAsync(evt, dryRun, cancellationToken);
        if (outcome == RepairOutcome.Repaired)
        {
            LogRepaired(logger, item, evt.Meta.Id);
        }
        Record(report, outcome, item);
    }

    private void Record(RepairReport report, RepairOutcome outcome, string? item)
    {
        report.Add(outcome, item);
        telemetry.RecordRepair(Kind, RepairReport.Names.Of(outcome));
    }

    /// <summary>IM's profile fields of <see cref="GroupBaseline.ProfileFields"/>, those it answered.</summary>
    private static List<(string Field, string Value)> Profile(GroupInfoItem info)
        => [.. new[] { ("name", info.Name), ("introduction", info.Introduction), ("notification", info.Notification), ("faceUrl", info.FaceUrl) }
            .Where(f => f.Item2 is not null).Select(f => (f.Item1, f.Item2!))];

    private static string? Changed(List<(string Field, string Value)> changed, string field)
        => changed.FirstOrDefault(c => c.Field == field).Value;

    private static string Stamp(long? joinTime) => $"im:{joinTime}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Repaired {Item}: its callback never came; relaying it from IM's current group state as {CloudEventId}")]
    private static partial void LogRepaired(ILogger logger, string item, string cloudEventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} had no baseline of relayed state: recorded IM's {Count} members and profile as its baseline, nothing relayed")]
    private static partial void LogBaselineRecorded(ILogger logger, string groupId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Group {GroupId}: its member list changed while it was read, {Attempts} times; its state is compared on its next check")]
    private static partial void LogMembersMoving(ILogger logger, string groupId, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Group {GroupId} is gone from IM (ErrorCode {ErrorCode}): its baseline of relayed state is dropped")]
    private static partial void LogGroupGone(ILogger logger, string groupId, int errorCode);
}
