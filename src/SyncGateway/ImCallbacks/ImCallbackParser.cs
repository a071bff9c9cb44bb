using System.Globalization;
using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Messaging;

namespace SyncGateway.ImCallbacks;

/// <summary>The result of reading one callback: an event to publish, an event to leave alone, an unknown command, or a bad body.</summary>
internal abstract record CallbackParseResult
{
    public sealed record Accepted(ISyncEvent Event) : CallbackParseResult;
    public sealed record Ignored(string EventType, string Reason) : CallbackParseResult;
    public sealed record UnknownCommand(string Command) : CallbackParseResult;
    public sealed record Invalid(string Problem) : CallbackParseResult;
}

/// <summary>Turns the seven IM after-callbacks into bus events (fields as IM's callback pages document them).</summary>
internal sealed class ImCallbackParser(long sdkAppId, bool relayUndeliveredC2CMessages)
{
    public const string C2CAfterSendMsg = "C2C.CallbackAfterSendMsg";
    public const string GroupAfterCreateGroup = "Group.CallbackAfterCreateGroup";
    public const string GroupAfterGroupDestroyed = "Group.CallbackAfterGroupDestroyed";
    public const string GroupAfterGroupInfoChanged = "Group.CallbackAfterGroupInfoChanged";
    public const string GroupAfterNewMemberJoin = "Group.CallbackAfterNewMemberJoin";
    public const string GroupAfterMemberExit = "Group.CallbackAfterMemberExit";
    public const string GroupAfterSendMsg = "Group.CallbackAfterSendMsg";

    private static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString,
        PropertyNameCaseInsensitive = false,
    };

    private string Source => $"/im/{sdkAppId.ToString(CultureInfo.InvariantCulture)}";

    public static bool IsKnown(string command) => command is C2CAfterSendMsg or GroupAfterCreateGroup
        or GroupAfterGroupDestroyed or GroupAfterGroupInfoChanged or GroupAfterNewMemberJoin
        or GroupAfterMemberExit or GroupAfterSendMsg;

    public CallbackParseResult Parse(string command, ReadOnlySpan<byte> body, DateTimeOffset receivedAt)
    {
        try
        {
            return command switch
            {
                C2CAfterSendMsg => C2C(Read<C2CAfterSendMsgBody>(body), receivedAt),
                GroupAfterCreateGroup => Created(Read<GroupCreatedBody>(body), receivedAt),
                GroupAfterGroupDestroyed => Destroyed(Read<GroupDestroyedBody>(body), receivedAt),
                GroupAfterGroupInfoChanged => InfoChanged(Read<GroupInfoChangedBody>(body), receivedAt),
                GroupAfterNewMemberJoin => Joined(Read<NewMemberJoinBody>(body), receivedAt),
                GroupAfterMemberExit => Left(Read<MemberExitBody>(body), receivedAt),
                GroupAfterSendMsg => GroupMessage(Read<GroupAfterSendMsgBody>(body), receivedAt),
                _ => new CallbackParseResult.UnknownCommand(command),
            };
        }
        catch (JsonException ex)
        {
            return new CallbackParseResult.Invalid($"{command} body is not valid JSON for this command: {ex.Message}");
        }
        catch (InvalidCallbackException ex)
        {
            return new CallbackParseResult.Invalid($"{command} body {ex.Message}");
        }
    }

    private static T Read<T>(ReadOnlySpan<byte> body)
        => JsonSerializer.Deserialize<T>(body, Json) ?? throw new InvalidCallbackException("is JSON null");

    private CallbackParseResult C2C(C2CAfterSendMsgBody b, DateTimeOffset receivedAt)
    {
        var from = Required(b.FromAccount, "From_Account");
        var to = Required(b.ToAccount, "To_Account");
        var body = Elements(b.MsgBody);
        var data = new C2CMessageData(from, to, body, b.MsgSeq, b.MsgRandom, b.MsgTime, b.MsgKey, b.MsgId,
            b.CloudCustomData, Flag(b.OnlineOnlyFlag), b.SendMsgResult);
        if (b.SendMsgResult is not (null or 0) && !relayUndeliveredC2CMessages)
        {
            return new CallbackParseResult.Ignored(EventTypes.ImC2CMessageSent, "undelivered");
        }
        var key = b.MsgKey ?? $"{b.MsgSeq}_{b.MsgRandom}_{b.MsgTime}";
        var meta = Meta(EventTypes.ImC2CMessageSent, Conversations.C2C(from, to), Time(b.EventTime, b.MsgTime, receivedAt), receivedAt,
            C2CAfterSendMsg, from, to, key);
        return new CallbackParseResult.Accepted(new ImC2CMessageSent(meta, data));
    }

    private CallbackParseResult.Accepted Created(GroupCreatedBody b, DateTimeOffset receivedAt)
    {
        var groupId = Required(b.GroupId, "GroupId");
        var data = new GroupCreatedData(groupId, b.Type ?? "", b.Name ?? "", b.OwnerAccount, b.OperatorAccount,
            Members(b.MemberList), Fields(b.UserDefinedDataList));
        var meta = Meta(EventTypes.ImGroupCreated, Conversations.Group(groupId), Time(b.EventTime, null, receivedAt), receivedAt,
            GroupAfterCreateGroup, groupId, Stamp(b.EventTime));
        return new CallbackParseResult.Accepted(new ImGroupCreated(meta, data));
    }

    private CallbackParseResult.Accepted Destroyed(GroupDestroyedBody b, DateTimeOffset receivedAt)
    {
        var groupId = Required(b.GroupId, "GroupId");
        var data = new GroupDismissedData(groupId, b.Type, b.Name, b.OwnerAccount, Members(b.MemberList));
        var meta = Meta(EventTypes.ImGroupDismissed, Conversations.Group(groupId), Time(b.EventTime, null, receivedAt), receivedAt,
            GroupAfterGroupDestroyed, groupId, Stamp(b.EventTime));
        return new CallbackParseResult.Accepted(new ImGroupDismissed(meta, data));
    }

    private CallbackParseResult.Accepted InfoChanged(GroupInfoChangedBody b, DateTimeOffset receivedAt)
    {
        var groupId = Required(b.GroupId, "GroupId");
        var data = new GroupProfileChangedData(groupId, b.Type, b.OperatorAccount, b.Name, b.Introduction,
            b.Notification, b.FaceUrl, Fields(b.UserDefinedDataList));
        var meta = Meta(EventTypes.ImGroupProfileChanged, Conversations.Group(groupId), Time(b.EventTime, null, receivedAt), receivedAt,
            GroupAfterGroupInfoChanged, groupId, Stamp(b.EventTime), b.Name, b.Introduction, b.Notification, b.FaceUrl);
        return new CallbackParseResult.Accepted(new ImGroupProfileChanged(meta, data));
    }

    private CallbackParseResult.Accepted Joined(NewMemberJoinBody b, DateTimeOffset receivedAt)
    {
        var groupId = Required(b.GroupId, "GroupId");
        var members = RequiredMembers(b.NewMemberList, "NewMemberList");
        var data = new GroupMembersJoinedData(groupId, members, b.Type, b.JoinType, b.OperatorAccount);
        var meta = Meta(EventTypes.ImGroupMembersJoined, Conversations.Group(groupId), Time(b.EventTime, null, receivedAt), receivedAt,
            GroupAfterNewMemberJoin, groupId, Stamp(b.EventTime), string.Join(',', members));
        return new CallbackParseResult.Accepted(new ImGroupMembersJoined(meta, data));
    }

    private CallbackParseResult.Accepted Left(MemberExitBody b, DateTimeOffset receivedAt)
    {
        var groupId = Required(b.GroupId, "GroupId");
        var members = RequiredMembers(b.ExitMemberList, "ExitMemberList");
        var data = new GroupMembersLeftData(groupId, members, b.Type, b.ExitType, b.OperatorAccount);
        var meta = Meta(EventTypes.ImGroupMembersLeft, Conversations.Group(groupId), Time(b.EventTime, null, receivedAt), receivedAt,
            GroupAfterMemberExit, groupId, Stamp(b.EventTime), string.Join(',', members));
        return new CallbackParseResult.Accepted(new ImGroupMembersLeft(meta, data));
    }

    private CallbackParseResult.Accepted GroupMessage(GroupAfterSendMsgBody b, DateTimeOffset receivedAt)
    {
        var groupId = Required(b.GroupId, "GroupId");
        var from = Required(b.FromAccount, "From_Account");
        var seq = b.MsgSeq ?? throw new InvalidCallbackException("has no MsgSeq");
        var mentions = b.GroupAtInfo?.Select(a => new GroupMention(a.GroupAtAllFlag == 1, a.GroupAtAccount)).ToList();
        var data = new GroupMessageData(groupId, from, Elements(b.MsgBody), seq, b.Random, b.MsgTime, b.MsgId,
            b.CloudCustomData, Flag(b.OnlineOnlyFlag), b.TopicId, mentions, b.OperatorAccount);
        // MsgSeq is unique per group (per topic in topic-enabled communities).
        var meta = Meta(EventTypes.ImGroupMessageSent, Conversations.Group(groupId), Time(b.EventTime, b.MsgTime, receivedAt), receivedAt,
            GroupAfterSendMsg, groupId, b.TopicId, seq.ToString(CultureInfo.InvariantCulture));
        return new CallbackParseResult.Accepted(new ImGroupMessageSent(meta, data));
    }

    private EventMeta Meta(string type, string subject, DateTimeOffset time, DateTimeOffset receivedAt, params ReadOnlySpan<string?> naturalKey)
        => new(EventIds.For(naturalKey), Source, type, subject, time, receivedAt);

    private static DateTimeOffset Time(long? eventTimeMs, long? msgTimeSeconds, DateTimeOffset receivedAt)
        => eventTimeMs is > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(eventTimeMs.Value)
            : msgTimeSeconds is > 0 ? DateTimeOffset.FromUnixTimeSeconds(msgTimeSeconds.Value)
            : receivedAt;

    private static string? Stamp(long? eventTime) => eventTime?.ToString(CultureInfo.InvariantCulture);

    private static bool? Flag(int? flag) => flag is null ? null : flag == 1;

    private static string Required(string? value, string field)
        => string.IsNullOrEmpty(value) ? throw new InvalidCallbackException($"has no {field}") : value;

    private static List<string> RequiredMembers(IReadOnlyList<MemberItem>? list, string field)
    {
        var members = Members(list);
        return members is { Count: > 0 } ? members : throw new InvalidCallbackException($"has no {field} members");
    }

    private static List<string>? Members(IReadOnlyList<MemberItem>? list)
        => list?.Select((m, i) => string.IsNullOrEmpty(m?.MemberAccount)
            ? throw new InvalidCallbackException($"has a member without Member_Account at index {i}")
            : m.MemberAccount).ToList();

    private static List<CustomField>? Fields(IReadOnlyList<KeyValueItem>? list)
        => list?.Where(f => f?.Key is not null).Select(f => new CustomField(f.Key!, f.Value ?? "")).ToList();

    private static List<MessageElement> Elements(IReadOnlyList<MsgBodyItem>? body)
    {
        if (body is null)
        {
            throw new InvalidCallbackException("has no MsgBody");
        }
        var elements = new List<MessageElement>(body.Count);
        for (var i = 0; i < body.Count; i++)
        {
            var item = body[i];
            if (string.IsNullOrEmpty(item?.MsgType))
            {
                throw new InvalidCallbackException($"has a MsgBody element without MsgType at index {i}");
            }
            if (item.MsgContent.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidCallbackException($"has a MsgBody element without a MsgContent object at index {i}");
            }
            elements.Add(new MessageElement(item.MsgType, item.MsgContent.Clone()));
        }
        return elements;
    }

    private sealed class InvalidCallbackException(string message) : Exception(message);
}
