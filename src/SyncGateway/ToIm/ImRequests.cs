using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.LoopSuppression;

namespace SyncGateway.ToIm;

/// <summary>One IM REST call of a plan. <paramref name="GroupId"/> names the group for per-item result messages.</summary>
internal sealed record ImCall(ImApi Api, object Body, string? GroupId = null);

/// <summary>The IM calls that apply one legacy delta, in order, and the keys of the IM echoes they will cause.</summary>
internal sealed record ImWritePlan(IReadOnlyList<string> ExpectedEchoes, IReadOnlyList<ImCall> Calls);

/// <summary>
/// The one place that maps event data to IM REST requests; the opposite direction is
/// <see cref="ImCallbacks.ImCallbackParser"/>. Message ids are derived from the legacy event, so every retry of one
/// delta sends the same <c>MsgRandom</c>/<c>Random</c> and IM's own duplicate check absorbs a repeat.
/// </summary>
internal static class ImRequests
{
    private static readonly IReadOnlyList<string> ForbidSendCallbacks = ["ForbidBeforeSendMsgCallback", "ForbidAfterSendMsgCallback"];

    public static ImWritePlan Plan(EventMeta meta, object data, bool forbidSendCallbacks, ToImOptions options) => data switch
    {
        C2CMessageData d => C2CMessage(WithImIds(meta, d), forbidSendCallbacks),
        GroupMessageData d => GroupMessage(WithImIds(meta, d), forbidSendCallbacks),
        GroupCreatedData d => GroupCreated(d, options),
        GroupDismissedData d => new(EchoParts.ImKeys(d), [new(ImApi.DestroyGroup, new DestroyGroupRequest(d.GroupId))]),
        GroupProfileChangedData d => GroupProfileChanged(d),
        GroupMembersJoinedData d => MembersJoined(d with { Members = Distinct(d.Members) }, options),
        GroupMembersLeftData d => MembersLeft(d with { Members = Distinct(d.Members) }, options),
        _ => throw new ArgumentException($"no IM write for {data.GetType().Name}", nameof(data)),
    };

    /// <summary>The data with the IM ids this legacy event gets: <c>MsgRandom</c> from the event id, <c>MsgSeq</c> from its time.</summary>
    public static C2CMessageData WithImIds(EventMeta meta, C2CMessageData data)
        => data with { MsgSeq = MsgSeqFor(meta.Time), MsgRandom = ImIds.RandomFor(meta.Id) };

    /// <summary>The data with the IM <c>Random</c> this legacy event gets, from the event id.</summary>
    public static GroupMessageData WithImIds(EventMeta meta, GroupMessageData data)
        => data with { Random = ImIds.RandomFor(meta.Id) };

    /// <summary>
    /// IM orders a conversation's messages of one second by <c>MsgSeq</c>, so it follows the legacy event time
    /// (milliseconds, modulo 2³²) rather than a hash: a burst keeps its order, and a retry carries the same value.
    /// </summary>
    public static uint MsgSeqFor(DateTimeOffset eventTime) => unchecked((uint)eventTime.ToUnixTimeMilliseconds());

    private static ImWritePlan C2CMessage(C2CMessageData d, bool forbid)
        => new(EchoParts.ImKeys(d), [new(ImApi.SendMsg, new SendMsgRequest(
            SyncOtherMachine: 1,
            FromAccount: d.From,
            ToAccount: d.To,
            MsgSeq: (uint)d.MsgSeq!.Value,
            MsgRandom: (uint)d.MsgRandom!.Value,
            MsgBody: Body(d.Body),
            CloudCustomData: d.CloudCustomData,
            MsgLifeTime: d.OnlineOnly == true ? 0 : null,
            ForbidCallbackControl: forbid ? ForbidSendCallbacks : null))]);

    private static ImWritePlan GroupMessage(GroupMessageData d, bool forbid)
        => new(EchoParts.ImKeys(d), [new(ImApi.SendGroupMsg, new SendGroupMsgRequest(
            GroupId: d.GroupId,
            FromAccount: d.From,
            Random: (uint)d.Random!.Value,
            MsgBody: Body(d.Body),
            CloudCustomData: d.CloudCustomData,
            OnlineOnlyFlag: d.OnlineOnly == true ? 1 : null,
            TopicId: d.TopicId,
            GroupAtInfo: d.Mentions is { Count: > 0 } mentions
                ? [.. mentions.Select(m => new GroupAtRequest(m.AtAll ? 1 : 0, m.AtAll ? null : m.Account))]
                : null,
            ForbidCallbackControl: forbid ? ForbidSendCallbacks : null), d.GroupId)]);

    /// <summary>
    /// The owner joins by being owner, so it is not repeated in <c>MemberList</c>. Members beyond what
    /// <c>create_group</c> takes are added right after. Whether IM raises join callbacks for initial members is not
    /// documented, so their join echoes are expected too; an unused tag simply expires.
    /// </summary>
    private static ImWritePlan GroupCreated(GroupCreatedData d, ToImOptions options)
    {
        var members = Distinct(d.Members ?? []).Where(m => m != d.Owner).ToList();
        var joined = d.Owner is null ? members : [d.Owner, .. members];
        var request = new CreateGroupRequest(
            OwnerAccount: d.Owner,
            Type: GroupType(d.Type),
            GroupId: d.GroupId,
            Name: d.Name,
            MemberList: members.Count > 0 ? [.. members.Take(options.CreateGroupMembersLimit).Select(m => new MemberRequest(m))] : null,
            AppDefinedData: CustomFields(d.CustomFields));
        var later = members.Skip(options.CreateGroupMembersLimit).ToList();
        return new(
            [.. EchoParts.ImKeys(d), .. joined.Count > 0 ? EchoParts.ImKeys(new GroupMembersJoinedData(d.GroupId, joined)) : []],
            [new(ImApi.CreateGroup, request, d.GroupId), .. AddMembers(d.GroupId, later, options)]);
    }

    private static ImWritePlan GroupProfileChanged(GroupProfileChangedData d)
    {
        if (!EchoParts.ProfileFields(d).Any())
        {
            return new([], []);
        }
        return new(EchoParts.ImKeys(d), [new(ImApi.ModifyGroupBaseInfo, new ModifyGroupBaseInfoRequest(
            d.GroupId, d.Name, d.Introduction, d.Notification, d.FaceUrl, CustomFields(d.CustomFields)), d.GroupId)]);
    }

    private static ImWritePlan MembersJoined(GroupMembersJoinedData d, ToImOptions options)
        => new(EchoParts.ImKeys(d), AddMembers(d.GroupId, d.Members, options));

    private static ImWritePlan MembersLeft(GroupMembersLeftData d, ToImOptions options)
        => new(EchoParts.ImKeys(d), [.. d.Members.Chunk(options.DeleteMembersBatchSize).Select(batch => new ImCall(
            ImApi.DeleteGroupMember, new DeleteGroupMemberRequest(d.GroupId, Silence(options), batch), d.GroupId))]);

    private static List<ImCall> AddMembers(string groupId, IReadOnlyList<string> members, ToImOptions options)
        => [.. members.Chunk(options.AddMembersBatchSize).Select(batch => new ImCall(
            ImApi.AddGroupMember,
            new AddGroupMemberRequest(groupId, Silence(options), [.. batch.Select(m => new MemberRequest(m))]),
            groupId))];

    private static int? Silence(ToImOptions options) => options.SilentMemberChanges ? 1 : null;

    private static List<string> Distinct(IReadOnlyList<string> members) => [.. members.Distinct(StringComparer.Ordinal)];

    // REST documents the old literals; whether it takes the new names (Work, Meeting) is not documented.
    private static string GroupType(string type) => type switch
    {
        _ when type.Equals("Work", StringComparison.OrdinalIgnoreCase) => "Private",
        _ when type.Equals("Meeting", StringComparison.OrdinalIgnoreCase) => "ChatRoom",
        _ => type,
    };

    private static List<ImMsgElement> Body(IReadOnlyList<MessageElement> body)
        => [.. body.Select(e => new ImMsgElement(e.MsgType, e.MsgContent))];

    private static List<KeyValueRequest>? CustomFields(IReadOnlyList<CustomField>? fields)
        => fields is { Count: > 0 } ? [.. fields.Select(f => new KeyValueRequest(f.Key, f.Value))] : null;
}

internal sealed record ImMsgElement(
    [property: JsonPropertyName("MsgType")] string MsgType,
    [property: JsonPropertyName("MsgContent")] JsonElement MsgContent);

internal sealed record MemberRequest([property: JsonPropertyName("Member_Account")] string MemberAccount);

internal sealed record KeyValueRequest(
    [property: JsonPropertyName("Key")] string Key,
    [property: JsonPropertyName("Value")] string Value);

internal sealed record GroupAtRequest(
    [property: JsonPropertyName("GroupAtAllFlag")] int GroupAtAllFlag,
    [property: JsonPropertyName("GroupAt_Account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GroupAtAccount);

/// <summary><c>openim/sendmsg</c>.</summary>
internal sealed record SendMsgRequest(
    [property: JsonPropertyName("SyncOtherMachine")] int SyncOtherMachine,
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("To_Account")] string ToAccount,
    [property: JsonPropertyName("MsgSeq")] uint MsgSeq,
    [property: JsonPropertyName("MsgRandom")] uint MsgRandom,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgElement> MsgBody,
    [property: JsonPropertyName("CloudCustomData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CloudCustomData,
    [property: JsonPropertyName("MsgLifeTime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? MsgLifeTime,
    [property: JsonPropertyName("ForbidCallbackControl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ForbidCallbackControl);

/// <summary><c>group_open_http_svc/send_group_msg</c>.</summary>
internal sealed record SendGroupMsgRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("From_Account")] string FromAccount,
    [property: JsonPropertyName("Random")] uint Random,
    [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgElement> MsgBody,
    [property: JsonPropertyName("CloudCustomData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CloudCustomData,
    [property: JsonPropertyName("OnlineOnlyFlag"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? OnlineOnlyFlag,
    [property: JsonPropertyName("TopicId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TopicId,
    [property: JsonPropertyName("GroupAtInfo"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<GroupAtRequest>? GroupAtInfo,
    [property: JsonPropertyName("ForbidCallbackControl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? ForbidCallbackControl);

/// <summary><c>group_open_http_svc/create_group</c>.</summary>
internal sealed record CreateGroupRequest(
    [property: JsonPropertyName("Owner_Account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OwnerAccount,
    [property: JsonPropertyName("Type")] string Type,
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Name")] string Name,
    [property: JsonPropertyName("MemberList"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<MemberRequest>? MemberList,
    [property: JsonPropertyName("AppDefinedData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<KeyValueRequest>? AppDefinedData);

/// <summary><c>group_open_http_svc/destroy_group</c>.</summary>
internal sealed record DestroyGroupRequest([property: JsonPropertyName("GroupId")] string GroupId);

/// <summary><c>group_open_http_svc/modify_group_base_info</c>: only the changed fields.</summary>
internal sealed record ModifyGroupBaseInfoRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Name"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    [property: JsonPropertyName("Introduction"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Introduction,
    [property: JsonPropertyName("Notification"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Notification,
    [property: JsonPropertyName("FaceUrl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FaceUrl,
    [property: JsonPropertyName("AppDefinedData"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<KeyValueRequest>? AppDefinedData);

/// <summary><c>group_open_http_svc/add_group_member</c>.</summary>
internal sealed record AddGroupMemberRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Silence"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Silence,
    [property: JsonPropertyName("MemberList")] IReadOnlyList<MemberRequest> MemberList);

/// <summary><c>group_open_http_svc/delete_group_member</c>.</summary>
internal sealed record DeleteGroupMemberRequest(
    [property: JsonPropertyName("GroupId")] string GroupId,
    [property: JsonPropertyName("Silence"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Silence,
    [property: JsonPropertyName("MemberToDel_Account")] IReadOnlyList<string> MemberToDelAccount);
