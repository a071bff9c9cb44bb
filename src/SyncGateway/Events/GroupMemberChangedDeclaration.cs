using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Im;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A member's role or name card changed: <c>Group.CallbackAfterMemberFieldChanged</c> ↔
/// <c>group_open_http_svc/modify_group_member_info</c>. Each changed field is an echo part of its own. IM reports no
/// mute in any callback, so mutes do not cross.
/// </summary>
internal sealed class GroupMemberChangedDeclaration()
    : GroupEventDeclaration<GroupMemberChangedData, ImGroupMemberChanged, LegacyGroupMemberChanged>(EventTypes.ImGroupMemberChanged, EventTypes.LegacyGroupMemberChanged, GroupMemberChangedDeclaration.Command)
{
    public const string Command = "Group.CallbackAfterMemberFieldChanged";

    // IM's limit for a name card, in UTF-8 bytes.
    private const int MaxNameCardBytes = 50;

    private static readonly IReadOnlyList<string> Roles = ["Admin", "Member"];

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<MemberFieldChangedBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        var member = CallbackContext.Required(b.ModifiedAccount ?? b.MemberAccount, "Modified_Account or Member_Account");
        var data = new GroupMemberChangedData(groupId, member, b.Role, b.NameCard, b.Type, b.OperatorAccount);
        if (!Fields(data).Any())
        {
            return new CallbackParseResult.Ignored(ImType, "no-relayed-field");
        }
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime), command, groupId, member,
            CallbackContext.Stamp(b.EventTime), b.Role, b.NameCard);
        return new CallbackParseResult.Accepted(new ImGroupMemberChanged(meta, data));
    }

    public override IReadOnlyList<string> ImEchoParts(GroupMemberChangedData data)
        => [.. Fields(data).Select(f => $"grp:member:{data.GroupId}:{data.Member}:{f.Field}:{Fingerprints.Hash(f.Value)}")];

    public override IReadOnlyList<string> LegacyEchoParts(GroupMemberChangedData data) => ImEchoParts(data);

    public override ImWritePlan ToIm(EventMeta meta, GroupMemberChangedData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.ModifyGroupMemberInfo,
            new ModifyGroupMemberInfoRequest(data.GroupId, data.Member, data.Role, data.NameCard), data.GroupId)]);

    /// <summary>The changed fields, in a fixed order (one echo part each).</summary>
    private static IEnumerable<(string Field, string Value)> Fields(GroupMemberChangedData d)
    {
        if (d.Role is not null) yield return ("role", d.Role);
        if (d.NameCard is not null) yield return ("nameCard", d.NameCard);
    }

    protected override GroupMemberChangedData Keep(GroupMemberChangedData data, IReadOnlyList<bool> suppressed)
    {
        var drop = Fields(data).Where((_, i) => suppressed[i]).Select(f => f.Field).ToHashSet(StringComparer.Ordinal);
        return data with { Role = drop.Contains("role") ? null : data.Role, NameCard = drop.Contains("nameCard") ? null : data.NameCard };
    }

    protected override void Validate(GroupMemberChangedData data, DeltaProblems problems)
    {
        problems.Require(data.GroupId, "data.groupId");
        problems.Require(data.Member, "data.member");
        if (data.Role is not null && !Roles.Contains(data.Role))
        {
            problems.Add("data.role", "must be Admin or Member (the owner changes with legacy.group.owner.changed)");
        }
        problems.MaxBytes(data.NameCard, "data.nameCard", MaxNameCardBytes, "IM's limit for a name card");
        if (!Fields(data).Any())
        {
            problems.Add("data", "changes nothing: give role, nameCard or both");
        }
    }

    protected override LegacyGroupMemberChanged NewLegacyEvent(EventMeta meta, GroupMemberChangedData data) => new(meta, data);
}

/// <summary>A group's owner changed: <c>Group.CallbackAfterChangeGroupOwner</c> ↔ <c>group_open_http_svc/change_group_owner</c>.</summary>
internal sealed class GroupOwnerChangedDeclaration()
    : GroupEventDeclaration<GroupOwnerChangedData, ImGroupOwnerChanged, LegacyGroupOwnerChanged>(EventTypes.ImGroupOwnerChanged, EventTypes.LegacyGroupOwnerChanged, GroupOwnerChangedDeclaration.Command)
{
    public const string Command = "Group.CallbackAfterChangeGroupOwner";

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<ChangeGroupOwnerBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        var newOwner = CallbackContext.Required(b.NewOwnerAccount, "NewOwner_Account");
        var data = new GroupOwnerChangedData(groupId, newOwner, string.IsNullOrEmpty(b.OldOwnerAccount) ? null : b.OldOwnerAccount, b.Type, b.OperatorAccount);
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime), command, groupId, newOwner, CallbackContext.Stamp(b.EventTime));
        return new CallbackParseResult.Accepted(new ImGroupOwnerChanged(meta, data));
    }

    public override IReadOnlyList<string> ImEchoParts(GroupOwnerChangedData data) => [$"grp:owner:{data.GroupId}:{data.NewOwner}"];

    public override IReadOnlyList<string> LegacyEchoParts(GroupOwnerChangedData data) => ImEchoParts(data);

    public override ImWritePlan ToIm(EventMeta meta, GroupOwnerChangedData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.ChangeGroupOwner, new ChangeGroupOwnerRequest(data.GroupId, data.NewOwner), data.GroupId)]);

    protected override void Validate(GroupOwnerChangedData data, DeltaProblems problems)
    {
        problems.Require(data.GroupId, "data.groupId");
        problems.Require(data.NewOwner, "data.newOwner");
    }

    protected override LegacyGroupOwnerChanged NewLegacyEvent(EventMeta meta, GroupOwnerChangedData data) => new(meta, data);
}
