using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A group's basic profile changed: <c>Group.CallbackAfterGroupInfoChanged</c> ↔
/// <c>group_open_http_svc/modify_group_base_info</c>. Each changed field is an echo part of its own.
/// </summary>
internal sealed class GroupProfileChangedDeclaration()
    : GroupEventDeclaration<GroupProfileChangedData, ImGroupProfileChanged, LegacyGroupProfileChanged>(EventTypes.ImGroupProfileChanged, EventTypes.LegacyGroupProfileChanged, GroupProfileChangedDeclaration.Command)
{
    public const string Command = "Group.CallbackAfterGroupInfoChanged";

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<GroupInfoChangedBody>(body);
        var groupId = CallbackContext.Required(b.GroupId, "GroupId");
        var data = new GroupProfileChangedData(groupId, b.Type, b.OperatorAccount, b.Name, b.Introduction,
            b.Notification, b.FaceUrl, CallbackContext.Fields(b.UserDefinedDataList));
        var meta = context.Meta(ImType, Conversation(data), context.Time(b.EventTime),
            command, groupId, CallbackContext.Stamp(b.EventTime), b.Name, b.Introduction, b.Notification, b.FaceUrl);
        return new CallbackParseResult.Accepted(new ImGroupProfileChanged(meta, data));
    }

    /// <summary>
    /// The profile change the group state repair found (fields whose IM value differs from the one last relayed), with
    /// only the changed fields, marked repaired. Its id comes from the group, IM's <c>InfoSeq</c> (the profile's
    /// version) and each changed field's fingerprints before (<paramref name="before"/>) and after, so every replica
    /// and round builds the same one. What only the callback carries (operator, custom fields) stays empty.
    /// </summary>
    public ImGroupProfileChanged FromRepair(GroupProfileChangedData data, long? infoSeq, IReadOnlyDictionary<string, string> before, CallbackContext context)
    {
        var changes = Fields(data).Select(f => $"{f.Field}:{before.GetValueOrDefault(f.Field)}:{Fingerprints.Hash(f.Value)}");
        var meta = context.Meta(ImType, Conversation(data), context.Time(null),
            "repair:profile", data.GroupId, infoSeq?.ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(',', changes));
        return new ImGroupProfileChanged(meta with { Repaired = true }, data);
    }

    public override IReadOnlyList<string> ImEchoParts(GroupProfileChangedData data)
        => [.. Fields(data).Select(f => $"grp:info:{data.GroupId}:{f.Field}:{Fingerprints.Hash(f.Value)}")];

    public override IReadOnlyList<string> LegacyEchoParts(GroupProfileChangedData data) => ImEchoParts(data);

    public override ImWritePlan ToIm(EventMeta meta, GroupProfileChangedData data, ImWriteSettings settings)
        => !Fields(data).Any()
            ? new([], [])
            : new(ImEchoParts(data), [new(ImApi.ModifyGroupBaseInfo, new ModifyGroupBaseInfoRequest(
                data.GroupId, data.Name, data.Introduction, data.Notification, data.FaceUrl, ImRequests.CustomFields(data.CustomFields)), data.GroupId)]);

    /// <summary>The changed fields, in a fixed order (one echo part each).</summary>
    public static IEnumerable<(string Field, string Value)> Fields(GroupProfileChangedData d)
    {
        if (d.Name is not null) yield return ("name", d.Name);
        if (d.Introduction is not null) yield return ("introduction", d.Introduction);
        if (d.Notification is not null) yield return ("notification", d.Notification);
        if (d.FaceUrl is not null) yield return ("faceUrl", d.FaceUrl);
        foreach (var field in d.CustomFields ?? [])
        {
            yield return ("custom." + field.Key, field.Value);
        }
    }

    protected override GroupProfileChangedData Keep(GroupProfileChangedData data, IReadOnlyList<bool> suppressed)
    {
        var drop = Fields(data).Where((_, i) => suppressed[i]).Select(f => f.Field).ToHashSet();
        return data with
        {
            Name = drop.Contains("name") ? null : data.Name,
            Introduction = drop.Contains("introduction") ? null : data.Introduction,
            Notification = drop.Contains("notification") ? null : data.Notification,
            FaceUrl = drop.Contains("faceUrl") ? null : data.FaceUrl,
            CustomFields = data.CustomFields?.Where(c => !drop.Contains("custom." + c.Key)).ToList(),
        };
    }

    protected override void Validate(GroupProfileChangedData data, DeltaProblems problems)
    {
        if (problems.Require(data.GroupId, "data.groupId") && problems.CustomFields(data.CustomFields, "data.customFields") && !Fields(data).Any())
        {
            problems.Add("data", "changes nothing: give at least one of name, introduction, notification, faceUrl, customFields");
        }
    }

    protected override LegacyGroupProfileChanged NewLegacyEvent(EventMeta meta, GroupProfileChangedData data) => new(meta, data);
}
