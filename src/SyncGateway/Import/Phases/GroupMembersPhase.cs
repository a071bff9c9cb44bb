using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Im;

namespace SyncGateway.Import.Phases;

internal sealed record GroupMemberLine(
    [property: JsonIgnore] string GroupId,
    [property: JsonPropertyName("Member_Account")] string UserId,
    [property: JsonPropertyName("Role"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonPropertyName("JoinTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? JoinTime,
    [property: JsonPropertyName("UnreadMsgNum"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? UnreadMsgNum);

/// <summary>
/// <c>group-members.jsonl</c>: members batched per group through <c>import_group_member</c>. A join time at or before
/// the group's creation is sent as one second after it, the earliest IM accepts.
/// </summary>
internal sealed class GroupMembersPhase : ImportPhase<GroupMemberLine>
{
    public GroupMembersPhase(ImportContext context)
        : base(context)
        => Routes =
        [
            new BatchRoute<GroupMemberLine>
            {
                Api = ImApi.ImportGroupMember,
                MaxItems = Options.GroupMemberBatchSize,
                Key = item => item.GroupId,
                Body = items => new ImportGroupMemberRequest(items[0].GroupId, items),
                Failures = FailedMembers,
            },
        ];

    public override string Name => ImportPhases.GroupMembers;

    public override IReadOnlyList<BatchRoute<GroupMemberLine>> Routes { get; }

    public override GroupMemberLine Parse(JsonElement line)
    {
        var groupId = RequiredGroup(line, "groupId");
        var role = LineFields.OptionalString(line, "role");
        if (role is not (null or "Admin" or "Member"))
        {
            throw new ImportInputException("field \"role\" must be \"Admin\" or \"Member\" (the owner comes from groups.jsonl)");
        }
        var joinTime = OptionalPast(line, "joinTime");
        if (joinTime is { } join && Context.Groups.Find(groupId) is { } group && join < group.NotBefore)
        {
            joinTime = group.NotBefore;
        }
        return new GroupMemberLine(
            groupId,
            RequiredAccount(line, "userId"),
            role == "Admin" ? role : null,
            joinTime,
            LineFields.OptionalInteger(line, "unreadMsgNum"));
    }

    // MemberList[].Result: 0 failed, 1 imported, 2 already a member.
    private static IEnumerable<ItemFailure> FailedMembers(JsonElement response, IReadOnlyList<GroupMemberLine> items)
    {
        if (!response.TryGetProperty("MemberList", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        var matched = new bool[items.Count];
        foreach (var result in results.EnumerateArray())
        {
            if (!result.TryGetProperty("Result", out var code) || code.ValueKind != JsonValueKind.Number || code.GetInt32() != 0)
            {
                continue;
            }
            var account = result.TryGetProperty("Member_Account", out var a) ? a.GetString() : null;
            var index = Enumerable.Range(0, items.Count).FirstOrDefault(i => !matched[i] && items[i].UserId == account, -1);
            if (index >= 0)
            {
                matched[index] = true;
                yield return new ItemFailure(index, null, "MemberList Result 0 (not imported)");
            }
        }
    }

    private sealed record ImportGroupMemberRequest(
        [property: JsonPropertyName("GroupId")] string GroupId,
        [property: JsonPropertyName("MemberList")] IReadOnlyList<GroupMemberLine> MemberList);
}
