using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SyncGateway.Fakes.Im;

/// <summary>An IM answer: the envelope's code and info plus the API's own fields.</summary>
internal sealed record ImAnswer(int ErrorCode, string ErrorInfo, JsonObject? Fields = null)
{
    public static ImAnswer Ok(JsonObject? fields = null) => new(0, "", fields);
}

/// <summary>A callback the world raised; the server posts it.</summary>
internal sealed record RaisedCallback(string Command, JsonObject Body, string OptPlatform, string ClientIp);

/// <summary>Who did something: the admin through REST, or a user in a client app.</summary>
internal sealed record Actor(string Operator, string Platform, string ClientIp);

/// <summary>
/// The state of one fake IM application and the rules IM applies to it: accounts, profiles,
/// friends, groups with members and MsgSeq-numbered messages, 1:1 conversations, unread counts, read marks, dedupe
/// windows, and the after-callbacks each write raises. One lock guards everything.
/// </summary>
/// <param name="options">Live settings.</param>
/// <param name="raise">Queues a callback for delivery; called inside the world's lock so callbacks leave in the order of the writes.</param>
internal sealed class FakeImWorld(FakeImOptions options, Func<RaisedCallback, Task<RecordedCallback>> raise)
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly HashSet<string> GroupImportElements = ["TIMTextElem", "TIMFaceElem", "TIMLocationElem", "TIMCustomElem"];
    private static readonly HashSet<string> GroupTypes = ["Public", "Private", "ChatRoom", "AVChatRoom", "Community", "Work", "Meeting"];
    private static readonly TimeSpan C2CDedupeWindow = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan GroupDedupeWindow = TimeSpan.FromMinutes(5);

    private readonly Lock _lock = new();
    private readonly HashSet<string> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, JsonNode?>> _profiles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _friends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GroupState> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), List<FakeC2CMessage>> _c2c = [];
    private readonly Dictionary<(string Owner, string Peer), int> _c2cUnread = [];
    private readonly Dictionary<(string Report, string Peer), long> _readMarks = [];
    // IM's 1:1 dedupe window, by key, with the keys in send order so expired ones leave from the front.
    private readonly Dictionary<string, FakeC2CMessage> _recentSends = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, long Time)> _recentSendOrder = new();

    private long Now => options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
    private long NowMs => options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
    private Actor Admin => new(options.AdminIdentifier, "RESTAPI", options.RestClientIp);

    /// <summary>Applies one REST call; <paramref name="deliveries"/> complete when the callbacks it raised were posted.</summary>
    public ImAnswer Handle(string api, JsonObject body, out IReadOnlyList<Task<RecordedCallback>> deliveries)
    {
        var callbacks = new List<RaisedCallback>();
        lock (_lock)
        {
            var answer = Apply(api, body, callbacks);
            deliveries = [.. callbacks.Select(raise)];
            return answer;
        }
    }

    private ImAnswer Apply(string api, JsonObject body, List<RaisedCallback> callbacks)
        => api switch
            {
                FakeImApis.SendMsg => SendMsg(body, callbacks),
                FakeImApis.ImportMsg => ImportMsg(body),
                FakeImApis.AdminSetMsgRead => AdminSetMsgRead(body, callbacks),
                FakeImApis.CreateGroup => CreateGroup(body, callbacks, imported: false),
                FakeImApis.ImportGroup => CreateGroup(body, callbacks, imported: true),
                FakeImApis.DestroyGroup => DestroyGroup(body, callbacks),
                FakeImApis.ModifyGroupBaseInfo => ModifyGroupBaseInfo(body, callbacks),
                FakeImApis.AddGroupMember => AddGroupMember(body, callbacks),
                FakeImApis.DeleteGroupMember => DeleteGroupMember(body, callbacks),
                FakeImApis.SendGroupMsg => SendGroupMsg(body, callbacks),
                FakeImApis.ImportGroupMember => ImportGroupMember(body),
                FakeImApis.ImportGroupMsg => ImportGroupMsg(body),
                FakeImApis.SetUnreadMsgNum => SetUnreadMsgNum(body),
                FakeImApis.MultiAccountImport => MultiAccountImport(body),
                FakeImApis.AccountImport => AccountImport(body),
                FakeImApis.AccountCheck => AccountCheck(body),
                FakeImApis.PortraitSet => PortraitSet(body, callbacks),
                FakeImApis.FriendImport => FriendImport(body),
                FakeImApis.AdminMsgWithdraw => AdminMsgWithdraw(body, callbacks),
                FakeImApis.GroupMsgRecall => GroupMsgRecall(body, callbacks),
                FakeImApis.ModifyC2CMsg => ModifyC2CMsg(body, callbacks),
                FakeImApis.ModifyGroupMsg => ModifyGroupMsg(body, callbacks),
                FakeImApis.FriendAdd => FriendAdd(body, callbacks),
                FakeImApis.FriendDelete => FriendDelete(body, callbacks),
                FakeImApis.ModifyGroupMemberInfo => ModifyGroupMemberInfo(body, callbacks, Admin),
                FakeImApis.ChangeGroupOwner => ChangeGroupOwner(body, callbacks, Admin),
                FakeImApis.GetGroupInfo => GetGroupInfo(body),
                FakeImApis.GetGroupMemberInfo => GetGroupMemberInfo(body),
                FakeImApis.GroupMsgGetSimple => GroupMsgGetSimple(body),
                FakeImApis.AdminGetRoamMsg => AdminGetRoamMsg(body),
                _ => new ImAnswer(60009, "unknown REST API"),
            };


    private ImAnswer SendMsg(JsonObject body, List<RaisedCallback> callbacks)
    {
        var to = Str(body, "To_Account");
        if (to is null)
        {
            return new ImAnswer(90003, "To_Account is missing");
        }
        if (UInt32(body, "MsgRandom") is not { } random)
        {
            return new ImAnswer(90005, "MsgRandom is missing or not an integer");
        }
        if (MsgBody(body) is not { } msgBody)
        {
            return new ImAnswer(90002, "MsgBody is missing or malformed");
        }
        if (TooLong(msgBody))
        {
            return new ImAnswer(93000, "message too long");
        }
        var from = Str(body, "From_Account") ?? options.AdminIdentifier;
        if (!AccountExists(to))
        {
            return new ImAnswer(90012, "To_Account is not registered");
        }
        // IM's sendmsg answers 20003 for a sender or recipient that was never imported (90012 or 90048 also occur).
        if (!AccountExists(from))
        {
            return new ImAnswer(20003, "From_Account is not registered");
        }
        var seq = UInt32(body, "MsgSeq") ?? RandomUInt32();
        var cloudCustomData = Str(body, "CloudCustomData");

        var now = Now;
        while (_recentSendOrder.TryPeek(out var oldest) && now - oldest.Time > C2CDedupeWindow.TotalSeconds)
        {
            _recentSends.Remove(_recentSendOrder.Dequeue().Key);
        }
        var dedupeKey = $"{from}\n{seq}\n{random}\n{msgBody.ToJsonString(Relaxed)}";
        if (_recentSends.TryGetValue(dedupeKey, out var duplicate))
        {
            return ImAnswer.Ok(new JsonObject { ["MsgTime"] = duplicate.MsgTime, ["MsgKey"] = duplicate.MsgKey });
        }

        var message = StoreC2C(from, to, seq, random, now, msgBody, cloudCustomData, imported: false,
            countUnread: !HasFlag(body, "SendMsgControl", "NoUnread"));
        _recentSends.Add(dedupeKey, message);
        _recentSendOrder.Enqueue((dedupeKey, now));
        if (!HasFlag(body, "ForbidCallbackControl", "ForbidAfterSendMsgCallback"))
        {
            callbacks.Add(C2CAfterSend(message, Admin));
        }
        return ImAnswer.Ok(new JsonObject { ["MsgTime"] = message.MsgTime, ["MsgKey"] = message.MsgKey });
    }

    private ImAnswer ImportMsg(JsonObject body)
    {
        var sync = Num(body, "SyncFromOldSystem");
        if (sync is not (2 or 5))
        {
            return new ImAnswer(90030, "SyncFromOldSystem must be 2 or 5");
        }
        var from = Str(body, "From_Account");
        if (from is null)
        {
            return new ImAnswer(90008, "From_Account is missing");
        }
        var to = Str(body, "To_Account");
        if (to is null)
        {
            return new ImAnswer(90003, "To_Account is missing");
        }
        if (UInt32(body, "MsgRandom") is not { } random)
        {
            return new ImAnswer(90005, "MsgRandom is missing or not an integer");
        }
        if (Num(body, "MsgTimeStamp") is not { } time)
        {
            return new ImAnswer(90006, "MsgTimeStamp is missing or not an integer");
        }
        if (MsgBody(body) is not { } msgBody || CustomElements(msgBody) > 1)
        {
            return new ImAnswer(90002, "MsgBody is missing or malformed, or has more than one TIMCustomElem");
        }
        if (TooLong(msgBody))
        {
            return new ImAnswer(93000, "message too long");
        }
        if (!AccountExists(from) || !AccountExists(to))
        {
            return new ImAnswer(90048, "account is not registered");
        }
        var seq = UInt32(body, "MsgSeq") ?? RandomUInt32();
        // IM: a duplicate is the same (MsgSeq, MsgRandom, MsgTimeStamp) in the conversation, either direction; content ignored.
        if (Conversation(from, to).Exists(m => m.MsgSeq == seq && m.MsgRandom == random && m.MsgTime == time))
        {
            return ImAnswer.Ok();
        }
        StoreC2C(from, to, seq, random, time, msgBody, Str(body, "CloudCustomData"), imported: true, countUnread: sync == 5);
        return ImAnswer.Ok();
    }

    private ImAnswer AdminSetMsgRead(JsonObject body, List<RaisedCallback> callbacks)
    {
        var report = Str(body, "Report_Account");
        var peer = Str(body, "Peer_Account");
        if (report is null || peer is null)
        {
            return new ImAnswer(90001, "Report_Account and Peer_Account are required");
        }
        if (!AccountExists(report) || !AccountExists(peer))
        {
            return new ImAnswer(90003, "account is not registered");
        }
        long readTime = Now;
        if (body["MsgReadTime"] is not null)
        {
            // The doc says String, the SDK sends an Integer: accept both.
            var asNumber = Num(body, "MsgReadTime");
            var asText = Str(body, "MsgReadTime");
            if (asNumber is { } n)
            {
                readTime = n;
            }
            else if (asText is not null && long.TryParse(asText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                readTime = parsed;
            }
            else
            {
                return new ImAnswer(90001, "MsgReadTime is not a time");
            }
        }
        callbacks.Add(SetReadMark(report, peer, readTime, Admin));
        return ImAnswer.Ok();
    }

    // One conversation as Operator_Account sees it (the fake keeps no per-side deletions, so both sides see the same), paged
    // backwards in time: a page is the newest messages in [MinTime, MaxTime] older than LastMsgKey, listed oldest first as IM's
    // sample lists them, and LastMsgTime/LastMsgKey name its oldest so the next call sets MaxTime = LastMsgTime. IM does not say
    // whether MinTime is inclusive; the fake includes it. MaxTime must be inclusive, or a continuation would skip the rest of that second.
    private ImAnswer AdminGetRoamMsg(JsonObject body)
    {
        if (Str(body, "Operator_Account") is not { } viewer || !AccountExists(viewer))
        {
            return new ImAnswer(90008, "Operator_Account is missing or not registered");
        }
        if (Str(body, "Peer_Account") is not { } peer || !AccountExists(peer))
        {
            return new ImAnswer(90003, "Peer_Account is missing or not registered");
        }
        if (Num(body, "MaxCnt") is not { } maxCnt || maxCnt <= 0 || Num(body, "MinTime") is not { } minTime || Num(body, "MaxTime") is not { } maxTime)
        {
            return new ImAnswer(90001, "MaxCnt (positive), MinTime and MaxTime are required integers");
        }
        var lastMsgKey = Str(body, "LastMsgKey");
        var conversation = _c2c.GetValueOrDefault(ConversationKey(viewer, peer)) ?? [];
        // An unknown LastMsgKey is ignored (IM documents no code for it): the page starts again at MaxTime.
        var end = lastMsgKey is null ? -1 : conversation.FindIndex(m => m.MsgKey == lastMsgKey);
        var inRange = conversation
            .Take(end >= 0 ? end : conversation.Count)
            .Where(m => m.MsgTime >= minTime && m.MsgTime <= maxTime)
            .ToList();
        var page = new List<JsonObject>();
        var bytes = 0;
        for (var i = inRange.Count - 1; i >= 0 && page.Count < maxCnt; i--)
        {
            var message = inRange[i];
            var item = new JsonObject
            {
                ["From_Account"] = message.From,
                ["To_Account"] = message.To,
                ["MsgSeq"] = message.MsgSeq,
                ["MsgRandom"] = message.MsgRandom,
                ["MsgTimeStamp"] = message.MsgTime,
                ["MsgFlagBits"] = message.Recalled ? 8 : 0,
                ["IsPeerRead"] = 0,
                ["MsgKey"] = message.MsgKey,
                ["MsgBody"] = message.MsgBody.DeepClone(),
                ["CloudCustomData"] = message.CloudCustomData ?? "",
            };
            bytes += Encoding.UTF8.GetByteCount(item.ToJsonString(Relaxed));
            if (page.Count > 0 && bytes > options.BatchLimits.AdminGetRoamMsgPageBytes)
            {
                break;
            }
            page.Add(item);
        }
        page.Reverse();
        return ImAnswer.Ok(new JsonObject
        {
            ["Complete"] = page.Count == inRange.Count ? 1 : 0,
            ["MsgCnt"] = page.Count,
            ["LastMsgTime"] = page.Count > 0 ? page[0]["MsgTimeStamp"]!.DeepClone() : 0,
            ["LastMsgKey"] = page.Count > 0 ? page[0]["MsgKey"]!.DeepClone() : "",
            ["MsgList"] = new JsonArray([.. page]),
        });
    }

    private ImAnswer AdminMsgWithdraw(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (Str(body, "From_Account") is not { } from || !AccountExists(from))
        {
            return new ImAnswer(90008, "From_Account is missing or not registered");
        }
        if (Str(body, "To_Account") is not { } to || !AccountExists(to))
        {
            return new ImAnswer(90003, "To_Account is missing or not registered");
        }
        if (Str(body, "MsgKey") is not { } msgKey || !WellFormedMsgKey(msgKey))
        {
            return new ImAnswer(90054, "MsgKey is missing or invalid");
        }
        if (!TryFindC2C(from, to, msgKey, out var conversation, out var index))
        {
            return new ImAnswer(20022, "message not found");
        }
        if (conversation[index].Recalled)
        {
            return new ImAnswer(20023, "message already recalled");
        }
        callbacks.Add(RecallC2C(conversation, index, Admin));
        return ImAnswer.Ok();
    }

    private ImAnswer ModifyC2CMsg(JsonObject body, List<RaisedCallback> callbacks)
    {
        var from = Str(body, "From_Account");
        var to = Str(body, "To_Account");
        var msgKey = Str(body, "MsgKey");
        if (from is null || to is null || msgKey is null)
        {
            return new ImAnswer(90001, "From_Account, To_Account and MsgKey are required");
        }
        if (EditFields(body, out var msgBody, out var cloudCustomData) is { } invalid)
        {
            return invalid;
        }
        if (!AccountExists(from) || !AccountExists(to))
        {
            return new ImAnswer(20003, "From_Account or To_Account is not registered");
        }
        // IM's table has no code for an unknown MsgKey; 20026 is what its client SDKs answer for "message does not exist".
        if (!TryFindC2C(from, to, msgKey, out var conversation, out var index) || conversation[index].Recalled)
        {
            return new ImAnswer(20026, "message does not exist");
        }
        var message = EditC2C(conversation, index, msgBody, cloudCustomData);
        if (options.RaiseModifyCallbacks)
        {
            callbacks.Add(C2CAfterModify(message, Admin));
        }
        return new ImAnswer(0, "succeed");
    }


    private ImAnswer CreateGroup(JsonObject body, List<RaisedCallback> callbacks, bool imported)
    {
        var type = Str(body, "Type");
        var name = Str(body, "Name");
        if (type is null || !GroupTypes.Contains(type))
        {
            return new ImAnswer(10004, "Type is missing or unknown");
        }
        if (name is null || Encoding.UTF8.GetByteCount(name) > 30)
        {
            return new ImAnswer(10004, "Name is missing or longer than 30 bytes");
        }
        if (imported && type == "AVChatRoom")
        {
            return new ImAnswer(10007, "AVChatRoom groups cannot be imported");
        }
        var owner = Str(body, "Owner_Account");
        if (owner is not null && !AccountExists(owner))
        {
            return new ImAnswer(10019, "Owner_Account does not exist");
        }
        var groupId = Str(body, "GroupId");
        if (groupId is not null && !ValidGroupId(groupId, type))
        {
            return new ImAnswer(10004, "GroupId is not a valid custom group id");
        }
        if (groupId is not null && _groups.TryGetValue(groupId, out var existing))
        {
            // create_group answers 10025 when the id is already the caller's group; with REST the caller is the admin, so
            // "ours" means same owner. import_group documents only 10021, whoever made the group.
            return existing.Owner == owner && !imported
                ? new ImAnswer(10025, "group id already used by you", new JsonObject { ["GroupId"] = groupId })
                : new ImAnswer(10021, "group id already used");
        }
        var members = new List<(string Account, string Role)>();
        if (!imported && body["MemberList"] is JsonArray memberList)
        {
            if (memberList.Count > options.BatchLimits.CreateGroupMembers)
            {
                return new ImAnswer(10005, "too many members");
            }
            foreach (var item in memberList)
            {
                if (item is not JsonObject member || Str(member, "Member_Account") is not { } account)
                {
                    return new ImAnswer(10004, "MemberList items need Member_Account");
                }
                if (!AccountExists(account))
                {
                    return new ImAnswer(10019, "member account does not exist");
                }
                members.Add((account, Str(member, "Role") == "Admin" ? "Admin" : "Member"));
            }
        }
        var createTime = imported ? Num(body, "CreateTime") ?? Now : Now;
        var group = AddGroup(groupId ?? NewGroupId(), type, name, owner, Str(body, "Introduction"), Str(body, "Notification"), Str(body, "FaceUrl"), createTime, members);
        if (!imported)
        {
            callbacks.Add(AfterCreateGroup(group, Admin));
        }
        return ImAnswer.Ok(new JsonObject { ["GroupId"] = group.Id });
    }

    private ImAnswer DestroyGroup(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        callbacks.Add(RemoveGroup(group, Admin));
        return ImAnswer.Ok();
    }

    private ImAnswer ModifyGroupBaseInfo(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        var name = Str(body, "Name");
        if (name is not null && Encoding.UTF8.GetByteCount(name) > 30)
        {
            return new ImAnswer(10004, "Name is longer than 30 bytes");
        }
        var actor = Admin with { Operator = Str(body, "From_Account") ?? options.AdminIdentifier };
        if (ChangeGroupInfo(group, name, Str(body, "Introduction"), Str(body, "Notification"), Str(body, "FaceUrl"), actor) is { } callback)
        {
            callbacks.Add(callback);
        }
        return ImAnswer.Ok();
    }

    private ImAnswer AddGroupMember(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (Accounts(body["MemberList"], "Member_Account") is not { Count: > 0 } accounts)
        {
            return new ImAnswer(10004, "MemberList is missing or malformed");
        }
        if (accounts.Count > options.BatchLimits.AddGroupMember)
        {
            return new ImAnswer(10005, "too many accounts in one request");
        }
        if (group.Type == "AVChatRoom")
        {
            return new ImAnswer(10007, "AVChatRoom does not support add_group_member");
        }
        var results = new JsonArray();
        var added = new List<string>();
        foreach (var account in accounts)
        {
            var result = !AccountExists(account) ? 0 : group.Members.ContainsKey(account) ? 2 : 1;
            if (result == 1)
            {
                group.Members[account] = new MemberState("Member", Now);
                added.Add(account);
            }
            results.Add(new JsonObject { ["Member_Account"] = account, ["Result"] = result });
        }
        if (added.Count > 0)
        {
            StoreTip(group, "MemberJoin", Admin);
            callbacks.Add(AfterNewMemberJoin(group, added, "Invited", Admin));
        }
        return ImAnswer.Ok(new JsonObject { ["MemberList"] = results });
    }

    private ImAnswer DeleteGroupMember(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (Strings(body["MemberToDel_Account"]) is not { Count: > 0 } accounts)
        {
            return new ImAnswer(10004, "MemberToDel_Account is missing or malformed");
        }
        if (accounts.Count > options.BatchLimits.DeleteGroupMember)
        {
            return new ImAnswer(10005, "too many accounts in one request");
        }
        if (group.Type == "AVChatRoom")
        {
            return new ImAnswer(10004, "AVChatRoom does not support delete_group_member");
        }
        if (RemoveMembers(group, accounts, "Kicked", Admin) is { } callback)
        {
            callbacks.Add(callback);
        }
        return ImAnswer.Ok();
    }

    private ImAnswer SendGroupMsg(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (UInt32(body, "Random") is not { } random)
        {
            return new ImAnswer(10004, "Random is missing or not an integer");
        }
        if (MsgBody(body) is not { } msgBody)
        {
            return new ImAnswer(10004, "MsgBody is missing or malformed");
        }
        if (TooLong(msgBody))
        {
            return new ImAnswer(80002, "message too long");
        }
        var from = Str(body, "From_Account") ?? options.AdminIdentifier;
        if (!AccountExists(from))
        {
            return new ImAnswer(10019, "From_Account does not exist");
        }
        var now = Now;
        var duplicate = group.Messages.FindLast(m => m.Random == random && now - m.MsgTime <= GroupDedupeWindow.TotalSeconds && !m.Imported);
        if (duplicate is not null)
        {
            return ImAnswer.Ok(new JsonObject { ["MsgTime"] = duplicate.MsgTime, ["MsgSeq"] = duplicate.MsgSeq });
        }
        var message = StoreGroupMessage(group, from, random, now, msgBody, Str(body, "CloudCustomData"), imported: false,
            countUnread: !HasFlag(body, "SendMsgControl", "NoUnread"));
        if (!HasFlag(body, "ForbidCallbackControl", "ForbidAfterSendMsgCallback"))
        {
            callbacks.Add(GroupAfterSend(group, message, Admin));
        }
        return ImAnswer.Ok(new JsonObject { ["MsgTime"] = message.MsgTime, ["MsgSeq"] = message.MsgSeq });
    }

    private ImAnswer GroupMsgRecall(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (Str(body, "GroupId") is not { Length: > 0 } groupId)
        {
            return new ImAnswer(10015, "GroupId is missing or invalid");
        }
        if (!_groups.TryGetValue(groupId, out var group))
        {
            return new ImAnswer(10010, "group does not exist or was dismissed");
        }
        if (Seqs(body["MsgSeqList"]) is not { Count: > 0 } seqs)
        {
            return new ImAnswer(10004, "MsgSeqList is missing or malformed");
        }
        if (seqs.Count > options.BatchLimits.GroupMsgRecall)
        {
            return new ImAnswer(10004, "too many MsgSeq in one request");
        }
        var results = new JsonArray();
        var recalled = new List<FakeGroupMessage>();
        foreach (var seq in seqs)
        {
            var index = GroupMessageIndex(group, seq);
            // A message recalled before answers 0 again but is not recalled (nor called back) twice.
            if (index >= 0 && !group.Messages[index].Recalled)
            {
                recalled.Add(group.Messages[index] = group.Messages[index] with { Recalled = true });
            }
            results.Add(new JsonObject { ["MsgSeq"] = seq, ["RetCode"] = index >= 0 ? 0 : 10030 });
        }
        if (GroupAfterRecall(group, recalled, Str(body, "TopicId"), Admin) is { } callback)
        {
            callbacks.Add(callback);
        }
        return ImAnswer.Ok(new JsonObject { ["RecallRetList"] = results });
    }

    private ImAnswer ModifyGroupMsg(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (UInt32(body, "MsgSeq") is not { } seq)
        {
            return new ImAnswer(90001, "MsgSeq is missing or not an integer");
        }
        if (EditFields(body, out var msgBody, out var cloudCustomData) is { } invalid)
        {
            return invalid;
        }
        // IM documents that AVChatRoom messages cannot be edited, without a code; 10007 is the fake's "not for this group type".
        if (group.Type == "AVChatRoom")
        {
            return new ImAnswer(10007, "AVChatRoom messages cannot be modified");
        }
        var index = GroupMessageIndex(group, seq);
        if (index < 0 || group.Messages[index].Recalled)
        {
            return new ImAnswer(10030, "message does not exist");
        }
        var message = EditGroupMessage(group, index, msgBody, cloudCustomData);
        if (options.RaiseModifyCallbacks)
        {
            callbacks.Add(GroupAfterModify(group, message, Str(body, "TopicId"), Admin));
        }
        return ImAnswer.Ok();
    }

    private ImAnswer ModifyGroupMemberInfo(JsonObject body, List<RaisedCallback> callbacks, Actor actor)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (Str(body, "Member_Account") is not { } account)
        {
            return new ImAnswer(10004, "Member_Account is missing");
        }
        if (!AccountExists(account))
        {
            return new ImAnswer(10019, "Member_Account does not exist");
        }
        if (!group.Members.TryGetValue(account, out var member))
        {
            return new ImAnswer(10004, "Member_Account is not a member");
        }
        var role = Str(body, "Role");
        if (role is not (null or "Admin" or "Member") || (role is not null && member.Role == "Owner"))
        {
            return new ImAnswer(10004, "Role must be Admin or Member, and the owner's cannot change");
        }
        var nameCard = Str(body, "NameCard");
        if (nameCard is not null && Encoding.UTF8.GetByteCount(nameCard) > 50)
        {
            return new ImAnswer(10004, "NameCard is longer than 50 bytes");
        }
        // Only a role or name card that changed is called back; MuteTime and the other fields raise nothing in IM.
        var changed = new JsonObject
        {
            ["CallbackCommand"] = "Group.CallbackAfterMemberFieldChanged",
            ["GroupId"] = group.Id,
            ["Type"] = group.Type,
            ["Operator_Account"] = actor.Operator,
            [options.MemberFieldChangedAccountField] = account,
        };
        if (role is not null && role != member.Role)
        {
            member.Role = role;
            changed["Role"] = role;
            StoreTip(group, "MemberRoleChanged", actor);
        }
        if (nameCard is not null && nameCard != member.NameCard)
        {
            member.NameCard = nameCard;
            changed["NameCard"] = nameCard;
        }
        if (changed.ContainsKey("Role") || changed.ContainsKey("NameCard"))
        {
            changed["EventTime"] = NowMs;
            callbacks.Add(Raise(actor, changed));
        }
        return ImAnswer.Ok();
    }

    private ImAnswer ChangeGroupOwner(JsonObject body, List<RaisedCallback> callbacks, Actor actor)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (Str(body, "NewOwner_Account") is not { } newOwner)
        {
            return new ImAnswer(10004, "NewOwner_Account is missing");
        }
        if (!AccountExists(newOwner))
        {
            return new ImAnswer(10019, "NewOwner_Account does not exist");
        }
        if (group.Type == "AVChatRoom")
        {
            return new ImAnswer(10007, "AVChatRoom groups have no owner to transfer");
        }
        if (!group.Members.TryGetValue(newOwner, out var member))
        {
            return new ImAnswer(10004, "NewOwner_Account is not a member");
        }
        if (group.Owner == newOwner)
        {
            return ImAnswer.Ok();
        }
        var oldOwner = group.Owner;
        if (oldOwner is not null && group.Members.TryGetValue(oldOwner, out var old))
        {
            old.Role = "Member";
        }
        member.Role = "Owner";
        group.Owner = newOwner;
        group.InfoChanged(Now);
        StoreTip(group, "OwnerChanged", actor);
        callbacks.Add(Raise(actor, new JsonObject
        {
            ["CallbackCommand"] = "Group.CallbackAfterChangeGroupOwner",
            ["GroupId"] = group.Id,
            ["Type"] = group.Type,
            ["Operator_Account"] = actor.Operator,
            ["OldOwner_Account"] = oldOwner ?? "",
            ["NewOwner_Account"] = newOwner,
            ["EventTime"] = NowMs,
        }));
        return ImAnswer.Ok();
    }

    private ImAnswer ImportGroupMember(JsonObject body)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (body["MemberList"] is not JsonArray { Count: > 0 } list || Accounts(list, "Member_Account") is null)
        {
            return new ImAnswer(10004, "MemberList is missing or malformed");
        }
        if (list.Count > options.BatchLimits.ImportGroupMember)
        {
            return new ImAnswer(10005, "too many accounts in one request");
        }
        if (group.Type == "AVChatRoom")
        {
            return new ImAnswer(10007, "AVChatRoom groups cannot be imported into");
        }
        var now = Now;
        var results = new JsonArray();
        foreach (var member in list.Cast<JsonObject>())
        {
            var account = Str(member, "Member_Account")!;
            var joinTime = Num(member, "JoinTime");
            var result = !AccountExists(account) ? 0
                : group.Members.ContainsKey(account) ? 2
                : joinTime is { } t && (t <= group.CreateTime || t >= now) ? 0
                : 1;
            if (result == 1)
            {
                var unread = (int)Math.Clamp(Num(member, "UnreadMsgNum") ?? 0, 0, group.Messages.Count);
                group.Members[account] = new MemberState(Str(member, "Role") == "Admin" ? "Admin" : "Member", joinTime ?? now) { Unread = unread };
            }
            results.Add(new JsonObject { ["Member_Account"] = account, ["Result"] = result });
        }
        return ImAnswer.Ok(new JsonObject { ["MemberList"] = results });
    }

    private ImAnswer ImportGroupMsg(JsonObject body)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (body["MsgList"] is not JsonArray { Count: > 0 } list)
        {
            return new ImAnswer(10004, "MsgList is missing");
        }
        if (list.Count > options.BatchLimits.ImportGroupMsg)
        {
            return new ImAnswer(10004, "too many messages in one request");
        }
        if (group.Type == "AVChatRoom")
        {
            return new ImAnswer(10007, "AVChatRoom groups cannot be imported into");
        }
        var items = new List<(string From, long SendTime, long? Random, JsonArray Body, string? CloudCustomData)>();
        foreach (var node in list)
        {
            if (node is not JsonObject item || Str(item, "From_Account") is not { } from || Num(item, "SendTime") is not { } sendTime || MsgBody(item) is not { } msgBody)
            {
                return new ImAnswer(10004, "MsgList items need From_Account, SendTime and MsgBody");
            }
            // IM documents both rules but not the code it answers for them.
            if (msgBody.Any(element => !GroupImportElements.Contains(Str((JsonObject)element!, "MsgType")!)) || CustomElements(msgBody) > 1)
            {
                return new ImAnswer(10004, "import_group_msg takes text, face, location and at most one custom element per message");
            }
            if (TooLong(msgBody))
            {
                return new ImAnswer(10020, "message too long");
            }
            items.Add((from, sendTime, UInt32(item, "Random"), msgBody, Str(item, "CloudCustomData")));
        }

        var now = Now;
        var results = new JsonArray();
        foreach (var item in items)
        {
            var duplicate = item.Random is { } r
                ? group.Messages.FindLast(m => m.Random == r && Math.Abs(m.MsgTime - item.SendTime) <= GroupDedupeWindow.TotalSeconds)
                : null;
            if (duplicate is not null)
            {
                results.Add(new JsonObject { ["MsgSeq"] = duplicate.MsgSeq, ["MsgTime"] = duplicate.MsgTime, ["Result"] = 0 });
                continue;
            }
            var newest = group.Messages.Count > 0 ? group.Messages[^1].MsgTime : long.MinValue;
            var afterNewest = options.AcceptEqualGroupImportSendTime ? item.SendTime >= newest : item.SendTime > newest;
            if (item.SendTime <= group.CreateTime || item.SendTime > now || !afterNewest || !AccountExists(item.From))
            {
                results.Add(new JsonObject { ["MsgSeq"] = 0, ["MsgTime"] = item.SendTime, ["Result"] = 10004 });
                continue;
            }
            var message = StoreGroupMessage(group, item.From, item.Random ?? RandomUInt32(), item.SendTime, item.Body, item.CloudCustomData, imported: true, countUnread: false);
            results.Add(new JsonObject { ["MsgSeq"] = message.MsgSeq, ["MsgTime"] = message.MsgTime, ["Result"] = 0 });
        }
        // IM: after an import every member's unread count is 0.
        foreach (var member in group.Members.Values)
        {
            member.Unread = 0;
        }
        return ImAnswer.Ok(new JsonObject { ["ImportMsgResult"] = results });
    }

    // GroupInfo[] in the order asked, each with its own ErrorCode. With filters only the fields they name: a GroupBaseInfoFilter alone
    // leaves out MemberList, a MemberInfoFilter alone leaves out the group's own fields.
    private ImAnswer GetGroupInfo(JsonObject body)
    {
        if (Strings(body["GroupIdList"]) is not { Count: > 0 } ids)
        {
            return new ImAnswer(10004, "GroupIdList is missing");
        }
        if (ids.Count > options.BatchLimits.GetGroupInfo)
        {
            return new ImAnswer(10004, "too many groups in one request");
        }
        var filter = Strings(body["ResponseFilter"]?["GroupBaseInfoFilter"])?.ToHashSet(StringComparer.Ordinal);
        var memberFilter = Strings(body["ResponseFilter"]?["MemberInfoFilter"])?.ToHashSet(StringComparer.Ordinal);
        var filtered = filter is not null || memberFilter is not null;
        var infos = new JsonArray();
        foreach (var id in ids)
        {
            if (!_groups.TryGetValue(id, out var group))
            {
                infos.Add(new JsonObject { ["GroupId"] = id, ["ErrorCode"] = 10010, ["ErrorInfo"] = "group does not exist or was dismissed" });
                continue;
            }
            var fields = new JsonObject
            {
                ["Type"] = group.Type,
                ["Name"] = group.Name,
                ["Owner_Account"] = group.Owner ?? "",
                ["CreateTime"] = group.CreateTime,
                ["Introduction"] = group.Introduction ?? "",
                ["Notification"] = group.Notification ?? "",
                ["FaceUrl"] = group.FaceUrl ?? "",
                ["InfoSeq"] = group.InfoSeq,
                ["LastInfoTime"] = group.LastInfoTime,
                ["MemberNum"] = group.Members.Count,
                ["MuteAllMember"] = "Off",
                ["NextMsgSeq"] = group.NextSeq,
                ["LastMsgTime"] = Math.Max(group.Messages.Count > 0 ? group.Messages[^1].MsgTime : 0, group.Tips.Count > 0 ? group.Tips[^1].MsgTime : 0),
            };
            var info = new JsonObject { ["GroupId"] = id, ["ErrorCode"] = 0, ["ErrorInfo"] = "" };
            foreach (var (name, value) in fields)
            {
                if (!filtered || filter?.Contains(name) == true)
                {
                    info[name] = value?.DeepClone();
                }
            }
            if (!filtered || memberFilter is not null)
            {
                info["MemberList"] = new JsonArray([.. group.Members.Select(m => (JsonNode)MemberInfo(group, m.Key, m.Value, memberFilter))]);
            }
            infos.Add(info);
        }
        return ImAnswer.Ok(new JsonObject { ["GroupInfo"] = infos });
    }

    // MemberNum and the page of Limit members from Offset, in join order, with the fields MemberInfoFilter names (all without one),
    // of the roles MemberRoleFilter names (all without one). IM counts MemberNum over the whole group, whatever the role filter.
    private ImAnswer GetGroupMemberInfo(JsonObject body)
    {
        if (Str(body, "GroupId") is null)
        {
            return new ImAnswer(10004, "GroupId is missing");
        }
        var limit = body["Limit"] is null ? options.BatchLimits.GetGroupMemberInfo : Num(body, "Limit") ?? -1;
        var offset = body["Offset"] is null ? 0 : Num(body, "Offset") ?? -1;
        if (limit < 0 || offset < 0)
        {
            return new ImAnswer(10004, "Limit and Offset must be non-negative integers");
        }
        if (limit > options.BatchLimits.GetGroupMemberInfo)
        {
            return new ImAnswer(10004, $"Limit is above {options.BatchLimits.GetGroupMemberInfo}");
        }
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        var filter = Strings(body["MemberInfoFilter"])?.ToHashSet(StringComparer.Ordinal);
        var roles = Strings(body["MemberRoleFilter"])?.ToHashSet(StringComparer.Ordinal);
        var page = group.Members
            .Where(m => roles is null || roles.Contains(m.Value.Role))
            .OrderBy(m => m.Value.JoinTime).ThenBy(m => m.Key, StringComparer.Ordinal)
            .Skip((int)Math.Min(offset, int.MaxValue))
            .Take((int)limit)
            .Select(m => (JsonNode)MemberInfo(group, m.Key, m.Value, filter));
        return ImAnswer.Ok(new JsonObject { ["MemberNum"] = group.Members.Count, ["MemberList"] = new JsonArray([.. page]) });
    }

    // The ReqMsgNumber seqs up to ReqMsgSeq, newest first: each a message, a recalled one (IsPlaceMsg 2, only with WithRecalledMsg 1)
    // or a group tip (IsSystemMsg 1). MsgKey and CloudCustomData are left out: IM documents them only in its SDK's model.
    private ImAnswer GroupMsgGetSimple(JsonObject body)
    {
        if (Str(body, "GroupId") is null)
        {
            return new ImAnswer(10004, "GroupId is missing");
        }
        if (Num(body, "ReqMsgNumber") is not { } requested || requested <= 0)
        {
            return new ImAnswer(10004, "ReqMsgNumber must be a positive integer");
        }
        if (body["ReqMsgSeq"] is not null && Num(body, "ReqMsgSeq") is null)
        {
            return new ImAnswer(10004, "ReqMsgSeq is not an integer");
        }
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (group.Type == "AVChatRoom")
        {
            return new ImAnswer(10007, "AVChatRoom groups store no history");
        }
        var newest = Math.Min(Num(body, "ReqMsgSeq") ?? long.MaxValue, group.NextSeq - 1);
        var oldest = Math.Max(1, newest - requested + 1);
        var cutShort = newest - oldest + 1 > options.BatchLimits.GroupMsgGetSimple;
        if (cutShort)
        {
            oldest = newest - options.BatchLimits.GroupMsgGetSimple + 1;
        }
        var withRecalled = Num(body, "WithRecalledMsg") == 1;
        var list = new JsonArray();
        for (var seq = newest; seq >= oldest; seq--)
        {
            if (GroupMessageIndex(group, seq) is >= 0 and var index)
            {
                var message = group.Messages[index];
                if (message.Recalled && !withRecalled)
                {
                    continue;
                }
                // IM does not say whether a recalled message keeps its body; the fake empties it, as for a deleted one.
                list.Add(new JsonObject
                {
                    ["From_Account"] = message.From,
                    ["IsPlaceMsg"] = message.Recalled ? 2 : 0,
                    ["MsgBody"] = message.Recalled ? new JsonArray() : message.MsgBody.DeepClone(),
                    ["MsgPriority"] = 2,
                    ["MsgRandom"] = message.Random,
                    ["MsgSeq"] = message.MsgSeq,
                    ["MsgTimeStamp"] = message.MsgTime,
                });
            }
            else if (options.GroupTipsInHistory && group.Tips.Find(t => t.MsgSeq == seq) is { } tip)
            {
                // IM documents no tip body; SDK models type a system message's MsgBody as an object, not an array.
                list.Add(new JsonObject
                {
                    ["From_Account"] = tip.Operator,
                    ["IsPlaceMsg"] = 0,
                    ["IsSystemMsg"] = 1,
                    ["MsgBody"] = new JsonObject(),
                    ["MsgPriority"] = 2,
                    ["MsgRandom"] = 0,
                    ["MsgSeq"] = tip.MsgSeq,
                    ["MsgTimeStamp"] = tip.MsgTime,
                });
            }
        }
        return ImAnswer.Ok(new JsonObject { ["GroupId"] = group.Id, ["IsFinished"] = cutShort ? 0 : 1, ["RspMsgList"] = list });
    }

    // MsgSeq is the member's read seq, derived from the unread count the fake keeps; mutes are not modelled.
    private static JsonObject MemberInfo(GroupState group, string account, MemberState member, HashSet<string>? filter)
    {
        var fields = new JsonObject
        {
            ["Member_Account"] = account,
            ["Role"] = member.Role,
            ["JoinTime"] = member.JoinTime,
            ["MsgSeq"] = Math.Max(0, group.NextSeq - 1 - member.Unread),
            ["NameCard"] = member.NameCard ?? "",
            ["MuteUntil"] = 0,
        };
        var info = new JsonObject();
        foreach (var (name, value) in fields)
        {
            if (filter is null || filter.Contains(name) || name == "Member_Account")
            {
                info[name] = value?.DeepClone();
            }
        }
        return info;
    }

    private ImAnswer SetUnreadMsgNum(JsonObject body)
    {
        if (FindGroup(body, out var group) is { } error)
        {
            return error;
        }
        if (Str(body, "Member_Account") is not { } account || Num(body, "UnreadMsgNum") is not { } unread)
        {
            return new ImAnswer(10004, "Member_Account and UnreadMsgNum are required");
        }
        if (!group.Members.TryGetValue(account, out var member))
        {
            return new ImAnswer(10004, "Member_Account is not a member");
        }
        member.Unread = (int)Math.Clamp(unread, 0, group.Messages.Count);
        return ImAnswer.Ok();
    }


    private ImAnswer MultiAccountImport(JsonObject body)
    {
        var accounts = Strings(body["Accounts"]) ?? Accounts(body["AccountList"], "UserID");
        if (accounts is not { Count: > 0 })
        {
            return new ImAnswer(70402, "Accounts or AccountList is required");
        }
        if (accounts.Count > options.BatchLimits.MultiAccountImport)
        {
            return new ImAnswer(70206, "too many accounts in one request");
        }
        var failed = new JsonArray();
        foreach (var account in accounts)
        {
            if (Encoding.UTF8.GetByteCount(account) is 0 or > 32)
            {
                failed.Add(account);
                continue;
            }
            _accounts.Add(account);
        }
        if (body["AccountList"] is JsonArray list)
        {
            foreach (var item in list.OfType<JsonObject>())
            {
                if (Str(item, "UserID") is { } id && _accounts.Contains(id))
                {
                    SetProfileFromImport(id, item);
                }
            }
        }
        return ImAnswer.Ok(new JsonObject { ["FailAccounts"] = failed });
    }

    private ImAnswer AccountImport(JsonObject body)
    {
        if (Str(body, "UserID") is not { } id || Encoding.UTF8.GetByteCount(id) is 0 or > 32)
        {
            return new ImAnswer(70402, "UserID is missing or longer than 32 bytes");
        }
        _accounts.Add(id);
        SetProfileFromImport(id, body);
        return ImAnswer.Ok();
    }

    private ImAnswer AccountCheck(JsonObject body)
    {
        if (Accounts(body["CheckItem"], "UserID") is not { Count: > 0 } ids)
        {
            return new ImAnswer(70402, "CheckItem is missing or malformed");
        }
        if (ids.Count > options.BatchLimits.AccountCheck)
        {
            return new ImAnswer(70206, "too many accounts in one request");
        }
        var items = new JsonArray();
        foreach (var id in ids)
        {
            items.Add(new JsonObject
            {
                ["UserID"] = id,
                ["ResultCode"] = 0,
                ["ResultInfo"] = "",
                ["AccountStatus"] = _accounts.Contains(id) ? "Imported" : "NotImported",
            });
        }
        return ImAnswer.Ok(new JsonObject { ["ResultItem"] = items });
    }

    private ImAnswer PortraitSet(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (Str(body, "From_Account") is not { } account || body["ProfileItem"] is not JsonArray { Count: > 0 } items)
        {
            return new ImAnswer(40001, "From_Account and ProfileItem are required");
        }
        if (!AccountExists(account))
        {
            return new ImAnswer(40003, "account does not exist");
        }
        var parsed = new List<(string Tag, JsonNode? Value)>();
        foreach (var node in items)
        {
            if (node is not JsonObject item || Str(item, "Tag") is not { } tag || !item.ContainsKey("Value"))
            {
                return new ImAnswer(40001, "ProfileItem items need Tag and Value");
            }
            if (!tag.StartsWith("Tag_Profile_", StringComparison.Ordinal))
            {
                return new ImAnswer(40009, "unknown profile tag");
            }
            parsed.Add((tag, item["Value"]?.DeepClone()));
        }
        if (SetProfile(account, parsed, Admin) is { } callback)
        {
            callbacks.Add(callback);
        }
        return ImAnswer.Ok(new JsonObject { ["ErrorDisplay"] = "" });
    }

    private ImAnswer FriendImport(JsonObject body)
    {
        if (Str(body, "From_Account") is not { } from || body["AddFriendItem"] is not JsonArray { Count: > 0 } items)
        {
            return new ImAnswer(30001, "From_Account and AddFriendItem are required");
        }
        if (items.Count > options.BatchLimits.FriendImport)
        {
            return new ImAnswer(30001, "too many friends in one request");
        }
        if (!AccountExists(from))
        {
            return new ImAnswer(30003, "From_Account does not exist");
        }
        var friends = Friends(from);
        var results = new JsonArray();
        var failed = new JsonArray();
        foreach (var item in items.OfType<JsonObject>())
        {
            var to = Str(item, "To_Account");
            var source = Str(item, "AddSource");
            var code = to is null || source is null || !source.StartsWith("AddSource_Type_", StringComparison.Ordinal) ? 30001
                : !AccountExists(to) ? 30003
                : 0;
            if (code == 0)
            {
                friends[to!] = (JsonObject)item.DeepClone();
            }
            else
            {
                failed.Add(to ?? "");
            }
            results.Add(new JsonObject { ["To_Account"] = to ?? "", ["ResultCode"] = code, ["ResultInfo"] = code == 0 ? "" : "invalid friend item" });
        }
        var answer = new JsonObject { ["ResultItem"] = results, ["ErrorDisplay"] = "" };
        if (failed.Count > 0)
        {
            answer["Fail_Account"] = failed;
        }
        return ImAnswer.Ok(answer);
    }


    private ImAnswer FriendAdd(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (Str(body, "From_Account") is not { } from || body["AddFriendItem"] is not JsonArray { Count: > 0 } items)
        {
            return new ImAnswer(30001, "From_Account and AddFriendItem are required");
        }
        var addType = Str(body, "AddType") ?? "Add_Type_Both";
        if (addType is not ("Add_Type_Both" or "Add_Type_Single"))
        {
            return new ImAnswer(30001, "AddType must be Add_Type_Both or Add_Type_Single");
        }
        if (!AccountExists(from))
        {
            return new ImAnswer(30003, "From_Account does not exist");
        }
        var results = new JsonArray();
        var failed = new JsonArray();
        var pairs = new List<(string From, string To)>();
        foreach (var item in items.OfType<JsonObject>())
        {
            var to = Str(item, "To_Account");
            var source = Str(item, "AddSource");
            var code = to is null || to == from || source is null || !source.StartsWith("AddSource_Type_", StringComparison.Ordinal) ? 30001
                : !AccountExists(to) ? 30003
                : 0;
            if (code == 0)
            {
                // Every peer of the fake accepts anyone, so an add is never left pending (IM's 30539).
                AddFriendship(from, to!, source!, addType == "Add_Type_Both", (JsonObject)item.DeepClone(), pairs);
            }
            else
            {
                failed.Add(to ?? "");
            }
            results.Add(new JsonObject { ["To_Account"] = to ?? "", ["ResultCode"] = code, ["ResultInfo"] = code == 0 ? "" : "invalid friend item" });
        }
        var forceFlag = Num(body, "ForceAddFlags") == 1 ? 1 : 0;
        if (FriendsAdded(pairs, from, options.AdminIdentifier, forceFlag, Admin) is { } callback)
        {
            callbacks.Add(callback);
        }
        return ImAnswer.Ok(new JsonObject { ["ResultItem"] = results, ["Fail_Account"] = failed, ["ErrorDisplay"] = "" });
    }

    private ImAnswer FriendDelete(JsonObject body, List<RaisedCallback> callbacks)
    {
        if (Str(body, "From_Account") is not { } from || Strings(body["To_Account"]) is not { Count: > 0 } accounts)
        {
            return new ImAnswer(30001, "From_Account and To_Account are required");
        }
        if (accounts.Count > options.BatchLimits.FriendDelete)
        {
            return new ImAnswer(30001, "too many accounts in one request");
        }
        // IM does not state the default DeleteType; the fake takes the larger change, both directions.
        var deleteType = Str(body, "DeleteType") ?? "Delete_Type_Both";
        if (deleteType is not ("Delete_Type_Both" or "Delete_Type_Single"))
        {
            return new ImAnswer(30001, "DeleteType must be Delete_Type_Both or Delete_Type_Single");
        }
        if (!AccountExists(from))
        {
            return new ImAnswer(30003, "From_Account does not exist");
        }
        var results = new JsonArray();
        var pairs = new List<(string From, string To)>();
        foreach (var to in accounts)
        {
            var code = !AccountExists(to) ? 30003
                : RemoveFriendship(from, to, deleteType == "Delete_Type_Both", pairs) ? 0
                : 31704;
            results.Add(new JsonObject { ["To_Account"] = to, ["ResultCode"] = code, ["ResultInfo"] = code == 0 ? "" : "not friends" });
        }
        if (FriendsDeleted(pairs, Admin) is { } callback)
        {
            callbacks.Add(callback);
        }
        return ImAnswer.Ok(new JsonObject { ["ResultItem"] = results, ["ErrorDisplay"] = "" });
    }


    public (FakeC2CMessage Message, Task<RecordedCallback> Delivery) UserSendsC2C(string from, string to, JsonArray msgBody, string? cloudCustomData, Actor actor)
    {
        lock (_lock)
        {
            var message = StoreC2C(from, to, RandomUInt32(), RandomUInt32(), Now, msgBody, cloudCustomData, imported: false, countUnread: true);
            return (message, raise(C2CAfterSend(message, actor)));
        }
    }

    public (FakeGroupMessage Message, Task<RecordedCallback> Delivery) UserSendsGroupMessage(string groupId, string from, JsonArray msgBody, string? cloudCustomData, Actor actor)
    {
        lock (_lock)
        {
            var group = RequireGroup(groupId);
            var message = StoreGroupMessage(group, from, RandomUInt32(), Now, msgBody, cloudCustomData, imported: false, countUnread: true);
            return (message, raise(GroupAfterSend(group, message, actor)));
        }
    }

    public (string GroupId, Task<RecordedCallback> Delivery) UserCreatesGroup(string owner, string name, string type, string? groupId, IEnumerable<string> members, Actor actor)
    {
        lock (_lock)
        {
            if (groupId is not null && _groups.ContainsKey(groupId))
            {
                throw new InvalidOperationException($"Group {groupId} exists already.");
            }
            var group = AddGroup(groupId ?? NewGroupId(), type, name, owner, null, null, null, Now, members.Select(m => (m, "Member")).ToList());
            return (group.Id, raise(AfterCreateGroup(group, actor)));
        }
    }

    public Task<RecordedCallback> UserDestroysGroup(string groupId, Actor actor)
    {
        lock (_lock)
        {
            return raise(RemoveGroup(RequireGroup(groupId), actor));
        }
    }

    public Task<RecordedCallback>? UserChangesGroupInfo(string groupId, string? name, string? introduction, string? notification, string? faceUrl, Actor actor)
    {
        lock (_lock)
        {
            return ChangeGroupInfo(RequireGroup(groupId), name, introduction, notification, faceUrl, actor) is { } callback ? raise(callback) : null;
        }
    }

    /// <summary>A user (an owner or admin in a client) changes a member's role or name card.</summary>
    public Task<RecordedCallback>? UserChangesMember(string groupId, string member, string? role, string? nameCard, Actor actor)
        => UserAction(actor, (callbacks, a) => ModifyGroupMemberInfo(new JsonObject
        {
            ["GroupId"] = groupId, ["Member_Account"] = member, ["Role"] = role, ["NameCard"] = nameCard,
        }, callbacks, a));

    /// <summary>The owner hands the group to another member in a client.</summary>
    public Task<RecordedCallback>? UserTransfersOwnership(string groupId, string newOwner, Actor actor)
        => UserAction(actor, (callbacks, a) => ChangeGroupOwner(new JsonObject { ["GroupId"] = groupId, ["NewOwner_Account"] = newOwner }, callbacks, a));

    private Task<RecordedCallback>? UserAction(Actor actor, Func<List<RaisedCallback>, Actor, ImAnswer> apply)
    {
        lock (_lock)
        {
            var callbacks = new List<RaisedCallback>();
            var answer = apply(callbacks, actor);
            if (answer.ErrorCode != 0)
            {
                throw new InvalidOperationException($"{answer.ErrorCode}: {answer.ErrorInfo}");
            }
            return callbacks.Count > 0 ? raise(callbacks[0]) : null;
        }
    }

    public Task<RecordedCallback>? UsersJoinGroup(string groupId, IReadOnlyList<string> members, string joinType, Actor actor)
    {
        lock (_lock)
        {
            var group = RequireGroup(groupId);
            var added = members.Where(m => !group.Members.ContainsKey(m)).Distinct(StringComparer.Ordinal).ToList();
            if (added.Count == 0)
            {
                return null;
            }
            foreach (var member in added)
            {
                group.Members[member] = new MemberState("Member", Now);
            }
            StoreTip(group, "MemberJoin", actor);
            return raise(AfterNewMemberJoin(group, added, joinType, actor));
        }
    }

    public Task<RecordedCallback>? UsersLeaveGroup(string groupId, IReadOnlyList<string> members, string exitType, Actor actor)
    {
        lock (_lock)
        {
            return RemoveMembers(RequireGroup(groupId), members, exitType, actor) is { } callback ? raise(callback) : null;
        }
    }

    public Task<RecordedCallback> UserRecallsC2C(string from, string to, string msgKey, Actor actor)
    {
        lock (_lock)
        {
            if (!TryFindC2C(from, to, msgKey, out var conversation, out var index))
            {
                throw new InvalidOperationException($"No 1:1 message {msgKey} from {from} to {to}.");
            }
            if (conversation[index].Recalled)
            {
                throw new InvalidOperationException($"The 1:1 message {msgKey} was recalled already.");
            }
            return raise(RecallC2C(conversation, index, actor));
        }
    }

    public Task<RecordedCallback>? UserRecallsGroupMessages(string groupId, IReadOnlyList<long> seqs, Actor actor)
    {
        lock (_lock)
        {
            var group = RequireGroup(groupId);
            var recalled = new List<FakeGroupMessage>();
            foreach (var seq in seqs)
            {
                var index = RequireGroupMessage(group, seq);
                if (!group.Messages[index].Recalled)
                {
                    recalled.Add(group.Messages[index] = group.Messages[index] with { Recalled = true });
                }
            }
            return GroupAfterRecall(group, recalled, null, actor) is { } callback ? raise(callback) : null;
        }
    }

    public (FakeC2CMessage Message, Task<RecordedCallback>? Delivery) UserEditsC2C(string msgKey, JsonArray msgBody, string? cloudCustomData, Actor actor)
    {
        lock (_lock)
        {
            var (conversation, index) = _c2c.Values
                .SelectMany(c => c.Select((m, i) => (Conversation: c, Index: i)))
                .Where(x => x.Conversation[x.Index].MsgKey == msgKey)
                .ToList() switch
            {
                [var one] => one,
                [] => throw new InvalidOperationException($"No 1:1 message {msgKey}."),
                _ => throw new InvalidOperationException($"More than one 1:1 message has the key {msgKey}."),
            };
            if (conversation[index].Recalled)
            {
                throw new InvalidOperationException($"The 1:1 message {msgKey} was recalled.");
            }
            var message = EditC2C(conversation, index, msgBody, cloudCustomData);
            return (message, options.RaiseModifyCallbacks ? raise(C2CAfterModify(message, actor)) : null);
        }
    }

    public (FakeGroupMessage Message, Task<RecordedCallback>? Delivery) UserEditsGroupMessage(string groupId, long seq, JsonArray msgBody, Actor actor)
    {
        lock (_lock)
        {
            var group = RequireGroup(groupId);
            var index = RequireGroupMessage(group, seq);
            if (group.Messages[index].Recalled)
            {
                throw new InvalidOperationException($"Message {seq} of group {groupId} was recalled.");
            }
            var message = EditGroupMessage(group, index, msgBody, null);
            return (message, options.RaiseModifyCallbacks ? raise(GroupAfterModify(group, message, null, actor)) : null);
        }
    }

    public FakeGroupTip AddGroupTip(string groupId, string kind, string operatorAccount)
    {
        lock (_lock)
        {
            return AddTip(RequireGroup(groupId), kind, operatorAccount);
        }
    }

    public Task<RecordedCallback> UserReadsC2C(string reader, string peer, long? readTime, Actor actor)
    {
        lock (_lock)
        {
            return raise(SetReadMark(reader, peer, readTime ?? Now, actor));
        }
    }

    public Task<RecordedCallback>? UserChangesProfile(string account, IReadOnlyList<(string Tag, JsonNode? Value)> items, Actor actor)
    {
        lock (_lock)
        {
            return SetProfile(account, [.. items.Select(i => (i.Tag, i.Value?.DeepClone()))], actor) is { } callback ? raise(callback) : null;
        }
    }

    public Task<RecordedCallback>? UserAddsFriend(string from, string to, bool both, Actor actor)
    {
        lock (_lock)
        {
            var source = $"AddSource_Type_{actor.Platform}";
            var pairs = new List<(string From, string To)>();
            AddFriendship(from, to, source, both, new JsonObject { ["To_Account"] = to, ["AddSource"] = source }, pairs);
            return FriendsAdded(pairs, from, "", 0, actor) is { } callback ? raise(callback) : null;
        }
    }

    public Task<RecordedCallback>? UserDeletesFriend(string from, string to, bool both, Actor actor)
    {
        lock (_lock)
        {
            var pairs = new List<(string From, string To)>();
            RemoveFriendship(from, to, both, pairs);
            return FriendsDeleted(pairs, actor) is { } callback ? raise(callback) : null;
        }
    }


    private FakeC2CMessage StoreC2C(string from, string to, long seq, long random, long time, JsonArray msgBody, string? cloudCustomData, bool imported, bool countUnread)
    {
        var message = new FakeC2CMessage(from, to, seq, random, time, $"{seq}_{random}_{time}", (JsonArray)msgBody.DeepClone(), cloudCustomData, imported);
        var conversation = Conversation(from, to);
        // History order in a conversation: by time, then MsgSeq within the same second.
        var index = conversation.FindLastIndex(m => m.MsgTime < time || (m.MsgTime == time && m.MsgSeq <= seq)) + 1;
        conversation.Insert(index, message);
        if (countUnread && from != to)
        {
            _c2cUnread[(to, from)] = _c2cUnread.GetValueOrDefault((to, from)) + 1;
        }
        return message;
    }

    private static FakeGroupMessage StoreGroupMessage(GroupState group, string from, long random, long time, JsonArray msgBody, string? cloudCustomData, bool imported, bool countUnread)
    {
        var message = new FakeGroupMessage(group.Id, group.NextSeq++, random, from, time, (JsonArray)msgBody.DeepClone(), cloudCustomData, imported);
        group.Messages.Add(message);
        if (countUnread)
        {
            foreach (var (account, member) in group.Members)
            {
                if (account != from)
                {
                    member.Unread++;
                }
            }
        }
        return message;
    }

    /// <summary>
    /// With <see cref="FakeImOptions.GroupTipsTakeSeqs"/> on, stores the group tip IM stores for a member or profile change in the
    /// group types that store them by default (Work/Private, Public, Community): it takes a seq and raises no send callback.
    /// </summary>
    private void StoreTip(GroupState group, string kind, Actor actor)
    {
        if (options.GroupTipsTakeSeqs && group.Type is "Private" or "Work" or "Public" or "Community")
        {
            AddTip(group, kind, actor.Operator);
        }
    }

    private FakeGroupTip AddTip(GroupState group, string kind, string operatorAccount)
    {
        var tip = new FakeGroupTip(group.Id, group.NextSeq++, Now, kind, operatorAccount);
        group.Tips.Add(tip);
        return tip;
    }

    private RaisedCallback SetReadMark(string report, string peer, long readTime, Actor actor)
    {
        _readMarks[(report, peer)] = readTime;
        _c2cUnread[(report, peer)] = Conversation(report, peer).Count(m => m.From == peer && m.MsgTime > readTime);
        return Raise(actor, new JsonObject
        {
            ["CallbackCommand"] = "C2C.CallbackAfterMsgReport",
            ["Report_Account"] = report,
            ["Peer_Account"] = peer,
            ["LastReadTime"] = readTime,
            ["UnreadMsgNum"] = TotalC2CUnread(report),
        });
    }

    private RaisedCallback RecallC2C(List<FakeC2CMessage> conversation, int index, Actor actor)
    {
        // The recipient's unread count is left as it was: IM does not document whether a recall lowers it.
        var message = conversation[index] = conversation[index] with { Recalled = true };
        return Raise(actor, new JsonObject
        {
            ["CallbackCommand"] = "C2C.CallbackAfterMsgWithDraw",
            ["From_Account"] = message.From,
            ["To_Account"] = message.To,
            ["MsgKey"] = message.MsgKey,
            ["UnreadMsgNum"] = TotalC2CUnread(message.To),
        });
    }

    private static FakeC2CMessage EditC2C(List<FakeC2CMessage> conversation, int index, JsonArray? msgBody, string? cloudCustomData)
    {
        var old = conversation[index];
        return conversation[index] = old with
        {
            MsgBody = msgBody is null ? old.MsgBody : (JsonArray)msgBody.DeepClone(),
            CloudCustomData = cloudCustomData ?? old.CloudCustomData,
        };
    }

    private static FakeGroupMessage EditGroupMessage(GroupState group, int index, JsonArray? msgBody, string? cloudCustomData)
    {
        var old = group.Messages[index];
        return group.Messages[index] = old with
        {
            MsgBody = msgBody is null ? old.MsgBody : (JsonArray)msgBody.DeepClone(),
            CloudCustomData = cloudCustomData ?? old.CloudCustomData,
        };
    }

    /// <summary>Sets the items; the callback lists exactly them, and is raised only with the console's profile subscription on.</summary>
    private RaisedCallback? SetProfile(string account, List<(string Tag, JsonNode? Value)> items, Actor actor)
    {
        var profile = Profile(account);
        foreach (var (tag, value) in items)
        {
            profile[tag] = value;
        }
        if (!options.ProfileChangeSubscription)
        {
            return null;
        }
        return Raise(actor, new JsonObject
        {
            ["CallbackCommand"] = "Profile.CallbackPortraitSet",
            ["Operator_Account"] = actor.Operator,
            ["From_Account"] = account,
            ["EventTime"] = NowMs,
            ["ProfileItem"] = new JsonArray([.. items.Select(i => (JsonNode)new JsonObject { ["Tag"] = i.Tag, ["Value"] = i.Value?.DeepClone() })]),
        });
    }

    /// <summary>Adds <paramref name="to"/> to <paramref name="from"/>'s list (and back when <paramref name="both"/>); adds each edge added to <paramref name="pairs"/>.</summary>
    private void AddFriendship(string from, string to, string source, bool both, JsonObject entry, List<(string From, string To)> pairs)
    {
        if (Friends(from).TryAdd(to, entry))
        {
            pairs.Add((from, to));
        }
        if (both && Friends(to).TryAdd(from, new JsonObject { ["To_Account"] = from, ["AddSource"] = source }))
        {
            pairs.Add((to, from));
        }
    }

    /// <summary>Removes the edge (both edges when <paramref name="both"/>); false when there was none to remove.</summary>
    private bool RemoveFriendship(string from, string to, bool both, List<(string From, string To)> pairs)
    {
        var before = pairs.Count;
        if (_friends.TryGetValue(from, out var friends) && friends.Remove(to))
        {
            pairs.Add((from, to));
        }
        if (both && _friends.TryGetValue(to, out var theirs) && theirs.Remove(from))
        {
            pairs.Add((to, from));
        }
        return pairs.Count > before;
    }

    private GroupState AddGroup(string id, string type, string name, string? owner, string? introduction, string? notification, string? faceUrl, long createTime, List<(string Account, string Role)> members)
    {
        var group = new GroupState(id, type, name, owner, createTime)
        {
            Introduction = introduction,
            Notification = notification,
            FaceUrl = faceUrl,
        };
        if (owner is not null)
        {
            group.Members[owner] = new MemberState("Owner", createTime);
        }
        foreach (var (account, role) in members)
        {
            group.Members.TryAdd(account, new MemberState(role, createTime));
        }
        _groups[id] = group;
        return group;
    }

    private RaisedCallback RemoveGroup(GroupState group, Actor actor)
    {
        _groups.Remove(group.Id);
        return Raise(actor, new JsonObject
        {
            ["CallbackCommand"] = "Group.CallbackAfterGroupDestroyed",
            ["GroupId"] = group.Id,
            ["Type"] = group.Type,
            ["Owner_Account"] = group.Owner ?? "",
            ["Name"] = group.Name,
            ["MemberList"] = MemberList(group.Members.Keys),
            ["EventTime"] = NowMs,
        });
    }

    private RaisedCallback? ChangeGroupInfo(GroupState group, string? name, string? introduction, string? notification, string? faceUrl, Actor actor)
    {
        // Only these four fields raise the callback, and it carries only the ones that changed.
        var body = new JsonObject
        {
            ["CallbackCommand"] = "Group.CallbackAfterGroupInfoChanged",
            ["GroupId"] = group.Id,
            ["Type"] = group.Type,
            ["Operator_Account"] = actor.Operator,
        };
        if (name is not null && name != group.Name)
        {
            group.Name = name;
            body["Name"] = name;
        }
        if (introduction is not null && introduction != group.Introduction)
        {
            group.Introduction = introduction;
            body["Introduction"] = introduction;
        }
        if (notification is not null && notification != group.Notification)
        {
            group.Notification = notification;
            body["Notification"] = notification;
        }
        if (faceUrl is not null && faceUrl != group.FaceUrl)
        {
            group.FaceUrl = faceUrl;
            body["FaceUrl"] = faceUrl;
        }
        if (body.Count == 4)
        {
            return null;
        }
        group.InfoChanged(Now);
        StoreTip(group, "GroupInfoChanged", actor);
        body["EventTime"] = NowMs;
        return Raise(actor, body);
    }

    private RaisedCallback? RemoveMembers(GroupState group, IEnumerable<string> accounts, string exitType, Actor actor)
    {
        var removed = accounts.Where(group.Members.Remove).ToList();
        if (removed.Count == 0)
        {
            return null;
        }
        StoreTip(group, "MemberExit", actor);
        return Raise(actor, new JsonObject
        {
            ["CallbackCommand"] = "Group.CallbackAfterMemberExit",
            ["GroupId"] = group.Id,
            ["Type"] = group.Type,
            ["ExitType"] = exitType,
            ["Operator_Account"] = actor.Operator,
            ["ExitMemberList"] = MemberList(removed),
            ["EventTime"] = NowMs,
        });
    }

    private RaisedCallback AfterCreateGroup(GroupState group, Actor actor) => Raise(actor, new JsonObject
    {
        ["CallbackCommand"] = "Group.CallbackAfterCreateGroup",
        ["GroupId"] = group.Id,
        ["Operator_Account"] = actor.Operator,
        ["Owner_Account"] = group.Owner ?? "",
        ["Type"] = group.Type,
        ["Name"] = group.Name,
        ["MemberList"] = MemberList(group.Members.Keys),
        ["EventTime"] = NowMs,
    });

    private RaisedCallback AfterNewMemberJoin(GroupState group, IEnumerable<string> added, string joinType, Actor actor) => Raise(actor, new JsonObject
    {
        ["CallbackCommand"] = "Group.CallbackAfterNewMemberJoin",
        ["GroupId"] = group.Id,
        ["Type"] = group.Type,
        ["JoinType"] = joinType,
        ["Operator_Account"] = actor.Operator,
        ["NewMemberList"] = MemberList(added),
        ["EventTime"] = NowMs,
    });

    private RaisedCallback C2CAfterSend(FakeC2CMessage message, Actor actor)
    {
        var body = new JsonObject
        {
            ["CallbackCommand"] = "C2C.CallbackAfterSendMsg",
            ["From_Account"] = message.From,
            ["To_Account"] = message.To,
            ["MsgSeq"] = message.MsgSeq,
            ["MsgRandom"] = message.MsgRandom,
            ["MsgTime"] = message.MsgTime,
            ["MsgKey"] = message.MsgKey,
            ["OnlineOnlyFlag"] = 0,
            ["SendMsgResult"] = 0,
            ["ErrorInfo"] = "send msg succeed",
            ["UnreadMsgNum"] = TotalC2CUnread(message.To),
            ["MsgBody"] = message.MsgBody.DeepClone(),
            ["EventTime"] = NowMs,
        };
        if (message.CloudCustomData is not null)
        {
            body["CloudCustomData"] = message.CloudCustomData;
        }
        return Raise(actor, body);
    }

    private RaisedCallback GroupAfterSend(GroupState group, FakeGroupMessage message, Actor actor) => Raise(actor, new JsonObject
    {
        ["CallbackCommand"] = "Group.CallbackAfterSendMsg",
        ["GroupId"] = group.Id,
        ["Type"] = group.Type,
        ["From_Account"] = message.From,
        ["Operator_Account"] = actor.Operator,
        ["Random"] = message.Random,
        ["MsgSeq"] = message.MsgSeq,
        ["MsgTime"] = message.MsgTime,
        ["OnlineOnlyFlag"] = 0,
        ["MsgBody"] = message.MsgBody.DeepClone(),
        ["CloudCustomData"] = message.CloudCustomData ?? "",
        ["EventTime"] = NowMs,
    });

    private RaisedCallback? GroupAfterRecall(GroupState group, List<FakeGroupMessage> recalled, string? topicId, Actor actor)
    {
        if (recalled.Count == 0)
        {
            return null;
        }
        var body = new JsonObject
        {
            ["CallbackCommand"] = "Group.CallbackAfterRecallMsg",
            ["Operator_Account"] = actor.Operator,
            ["Type"] = group.Type,
            ["GroupId"] = group.Id,
            ["MsgSeqList"] = new JsonArray([.. recalled.Select(m => (JsonNode)new JsonObject { ["MsgSeq"] = m.MsgSeq })]),
        };
        // Topics are not modelled (one seq space per group); a TopicId given is carried, as IM does for topic messages.
        if (topicId is not null)
        {
            body["TopicId"] = topicId;
        }
        body["EventTime"] = NowMs;
        return Raise(actor, body);
    }

    private RaisedCallback C2CAfterModify(FakeC2CMessage message, Actor actor) => Raise(actor, new JsonObject
    {
        ["CallbackCommand"] = "C2C.CallbackAfterModifyMsg",
        ["Operator_Account"] = actor.Operator,
        ["From_Account"] = message.From,
        ["To_Account"] = message.To,
        ["MsgKey"] = message.MsgKey,
        ["MsgSeq"] = message.MsgSeq,
        ["MsgRandom"] = message.MsgRandom,
        ["MsgTime"] = message.MsgTime,
        ["MsgBody"] = message.MsgBody.DeepClone(),
        ["CloudCustomData"] = message.CloudCustomData ?? "",
        ["EventTime"] = NowMs,
    });

    // IM's table has no Type, From_Account or CloudCustomData here.
    private RaisedCallback GroupAfterModify(GroupState group, FakeGroupMessage message, string? topicId, Actor actor) => Raise(actor, new JsonObject
    {
        ["CallbackCommand"] = "Group.CallbackAfterModifyMsg",
        ["Operator_Account"] = actor.Operator,
        ["GroupId"] = group.Id,
        ["TopicId"] = topicId ?? "",
        ["MsgSeq"] = message.MsgSeq,
        ["MsgBody"] = message.MsgBody.DeepClone(),
        ["EventTime"] = NowMs,
    });

    // adminAccount: the admin identifier for a REST add, empty for a user's own.
    private static RaisedCallback? FriendsAdded(List<(string From, string To)> pairs, string initiator, string adminAccount, int forceFlag, Actor actor)
        => pairs.Count == 0 ? null : Raise(actor, new JsonObject
        {
            ["CallbackCommand"] = "Sns.CallbackFriendAdd",
            ["PairList"] = new JsonArray([.. pairs.Select(p => (JsonNode)new JsonObject
            {
                ["From_Account"] = p.From,
                ["To_Account"] = p.To,
                ["Initiator_Account"] = initiator,
            })]),
            ["ClientCmd"] = "friend_add",
            ["Admin_Account"] = adminAccount,
            ["ForceFlag"] = forceFlag,
        });

    // No operator or admin field: IM marks a REST delete only by OptPlatform.
    private static RaisedCallback? FriendsDeleted(List<(string From, string To)> pairs, Actor actor)
        => pairs.Count == 0 ? null : Raise(actor, new JsonObject
        {
            ["CallbackCommand"] = "Sns.CallbackFriendDelete",
            ["PairList"] = new JsonArray([.. pairs.Select(p => (JsonNode)new JsonObject { ["From_Account"] = p.From, ["To_Account"] = p.To })]),
        });

    private static RaisedCallback Raise(Actor actor, JsonObject body)
        => new(body["CallbackCommand"]!.GetValue<string>(), body, actor.Platform, actor.ClientIp);


    public void SeedAccounts(IEnumerable<string> accounts)
    {
        lock (_lock)
        {
            _accounts.UnionWith(accounts);
        }
    }

    public bool IsImported(string account)
    {
        lock (_lock)
        {
            return _accounts.Contains(account);
        }
    }

    public FakeGroup? GetGroup(string groupId)
    {
        lock (_lock)
        {
            return _groups.TryGetValue(groupId, out var group) ? group.Snapshot() : null;
        }
    }

    public IReadOnlyList<string> GroupIds()
    {
        lock (_lock)
        {
            return [.. _groups.Keys];
        }
    }

    public IReadOnlyList<FakeC2CMessage> C2CMessages(string a, string b)
    {
        lock (_lock)
        {
            return _c2c.TryGetValue(ConversationKey(a, b), out var messages) ? [.. messages] : [];
        }
    }

    public int C2CUnread(string owner, string peer)
    {
        lock (_lock)
        {
            return _c2cUnread.GetValueOrDefault((owner, peer));
        }
    }

    public long? ReadMark(string report, string peer)
    {
        lock (_lock)
        {
            return _readMarks.TryGetValue((report, peer), out var time) ? time : null;
        }
    }

    public IReadOnlyDictionary<string, JsonNode?> GetProfile(string account)
    {
        lock (_lock)
        {
            return _profiles.TryGetValue(account, out var profile)
                ? profile.ToDictionary(p => p.Key, p => p.Value?.DeepClone(), StringComparer.Ordinal)
                : new Dictionary<string, JsonNode?>();
        }
    }

    public IReadOnlyList<string> GetFriends(string account)
    {
        lock (_lock)
        {
            return _friends.TryGetValue(account, out var friends) ? [.. friends.Keys] : [];
        }
    }

    public FakeC2CMessage? FindC2CMessage(string msgKey)
    {
        lock (_lock)
        {
            return _c2c.Values.SelectMany(c => c).Where(m => m.MsgKey == msgKey).ToList() switch
            {
                [] => null,
                [var one] => one,
                _ => throw new InvalidOperationException($"More than one 1:1 message has the key {msgKey}."),
            };
        }
    }

    public FakeGroupMessage? GetGroupMessage(string groupId, long msgSeq)
    {
        lock (_lock)
        {
            return _groups.TryGetValue(groupId, out var group) && GroupMessageIndex(group, msgSeq) is >= 0 and var index ? group.Messages[index] : null;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _accounts.Clear();
            _profiles.Clear();
            _friends.Clear();
            _groups.Clear();
            _c2c.Clear();
            _c2cUnread.Clear();
            _readMarks.Clear();
            _recentSends.Clear();
            _recentSendOrder.Clear();
        }
    }


    private bool AccountExists(string account) => !options.RequireImportedAccounts || _accounts.Contains(account);

    private GroupState RequireGroup(string groupId)
        => _groups.TryGetValue(groupId, out var group) ? group : throw new InvalidOperationException($"Group {groupId} does not exist.");

    private ImAnswer? FindGroup(JsonObject body, out GroupState group)
    {
        group = null!;
        if (Str(body, "GroupId") is not { } id)
        {
            return new ImAnswer(10004, "GroupId is missing");
        }
        if (!_groups.TryGetValue(id, out var found))
        {
            return new ImAnswer(10010, "group does not exist or was dismissed");
        }
        group = found;
        return null;
    }

    private int TotalC2CUnread(string owner) => _c2cUnread.Where(u => u.Key.Owner == owner).Sum(u => u.Value);

    /// <summary>The 1:1 message <paramref name="msgKey"/> sent by <paramref name="from"/> to <paramref name="to"/>.</summary>
    private bool TryFindC2C(string from, string to, string msgKey, out List<FakeC2CMessage> conversation, out int index)
    {
        index = -1;
        if (!_c2c.TryGetValue(ConversationKey(from, to), out conversation!))
        {
            return false;
        }
        index = conversation.FindIndex(m => m.MsgKey == msgKey && m.From == from && m.To == to);
        return index >= 0;
    }

    // Messages are stored in seq order, and edits and recalls replace them in place.
    private static int GroupMessageIndex(GroupState group, long seq)
    {
        var (low, high) = (0, group.Messages.Count - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var found = group.Messages[middle].MsgSeq;
            if (found == seq)
            {
                return middle;
            }
            (low, high) = found < seq ? (middle + 1, high) : (low, middle - 1);
        }
        return -1;
    }

    private static int RequireGroupMessage(GroupState group, long seq)
        => GroupMessageIndex(group, seq) is >= 0 and var index ? index : throw new InvalidOperationException($"Group {group.Id} has no message {seq}.");

    private Dictionary<string, JsonObject> Friends(string account)
    {
        if (!_friends.TryGetValue(account, out var friends))
        {
            _friends[account] = friends = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        }
        return friends;
    }

    private List<FakeC2CMessage> Conversation(string a, string b)
    {
        var key = ConversationKey(a, b);
        if (!_c2c.TryGetValue(key, out var messages))
        {
            _c2c[key] = messages = [];
        }
        return messages;
    }

    private static (string, string) ConversationKey(string a, string b) => string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);

    private Dictionary<string, JsonNode?> Profile(string account)
    {
        if (!_profiles.TryGetValue(account, out var profile))
        {
            _profiles[account] = profile = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        }
        return profile;
    }

    private void SetProfileFromImport(string account, JsonObject item)
    {
        if (Str(item, "Nick") is { } nick)
        {
            Profile(account)["Tag_Profile_IM_Nick"] = nick;
        }
        if (Str(item, "FaceUrl") is { } face)
        {
            Profile(account)["Tag_Profile_IM_Image"] = face;
        }
    }

    private bool TooLong(JsonArray msgBody) => Encoding.UTF8.GetByteCount(msgBody.ToJsonString(Relaxed)) > options.MaxMessageBytes;

    private static bool ValidGroupId(string id, string type)
        => Encoding.ASCII.GetByteCount(id) <= 48
           && id.All(c => c is >= ' ' and <= '~')
           && (type == "Community" ? id.StartsWith("@TGS#_", StringComparison.Ordinal) : !id.StartsWith("@TGS#", StringComparison.Ordinal));

    private static string NewGroupId()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        return "@TGS#" + string.Create(10, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
            }
        });
    }

    private static long RandomUInt32() => Random.Shared.NextInt64(0, 1L << 32);

    private static JsonArray MemberList(IEnumerable<string> accounts)
        => new([.. accounts.Select(a => (JsonNode)new JsonObject { ["Member_Account"] = a })]);

    internal static string? Str(JsonObject o, string name)
        => o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    internal static long? Num(JsonObject o, string name)
        => o[name] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var n) ? n : null;

    private static long? UInt32(JsonObject o, string name) => Num(o, name) is { } n && n is >= 0 and <= uint.MaxValue ? n : null;

    /// <summary>
    /// The shape of the keys the fake makes, <c>MsgSeq_MsgRandom_MsgTime</c>: IM calls the key opaque, so anything else is what
    /// the fake counts as invalid (90054), and a well-formed key it never made as not found.
    /// </summary>
    private static bool WellFormedMsgKey(string msgKey)
        => msgKey.Split('_') is [var seq, var random, var time]
           && new[] { seq, random, time }.All(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _));

    /// <summary>The edit of <c>modify_c2c_msg</c> / <c>modify_group_msg</c>: a new body, new custom data, or both.</summary>
    private static ImAnswer? EditFields(JsonObject body, out JsonArray? msgBody, out string? cloudCustomData)
    {
        msgBody = null;
        cloudCustomData = null;
        var hasBody = body.ContainsKey("MsgBody");
        var hasData = body.ContainsKey("CloudCustomData");
        if (!hasBody && !hasData)
        {
            return new ImAnswer(90001, "MsgBody or CloudCustomData is required");
        }
        if (hasBody && (msgBody = MsgBody(body)) is null)
        {
            return new ImAnswer(90002, "MsgBody is malformed");
        }
        if (hasData && (cloudCustomData = Str(body, "CloudCustomData")) is null)
        {
            return new ImAnswer(90001, "CloudCustomData is not a string");
        }
        return null;
    }

    private static bool HasFlag(JsonObject o, string name, string flag)
        => o[name] is JsonArray flags && flags.Any(f => f is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == flag);

    /// <summary>A non-empty array of <c>{ MsgType: string, MsgContent: object }</c>, else null.</summary>
    private static JsonArray? MsgBody(JsonObject o)
        => o["MsgBody"] is JsonArray { Count: > 0 } body
           && body.All(e => e is JsonObject element && Str(element, "MsgType") is not null && element["MsgContent"] is JsonObject)
            ? body
            : null;

    // IM allows at most one TIMCustomElem per message.
    private static int CustomElements(JsonArray msgBody) => msgBody.Count(element => Str((JsonObject)element!, "MsgType") == "TIMCustomElem");

    private static List<string>? Strings(JsonNode? node)
    {
        if (node is not JsonArray array)
        {
            return null;
        }
        var result = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonValue v || v.GetValueKind() != JsonValueKind.String)
            {
                return null;
            }
            result.Add(v.GetValue<string>());
        }
        return result;
    }

    /// <summary>The <c>MsgSeq</c> of each object in an array (<c>[{ "MsgSeq": … }]</c>), else null.</summary>
    private static List<long>? Seqs(JsonNode? node)
    {
        if (node is not JsonArray array)
        {
            return null;
        }
        var result = new List<long>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonObject o || UInt32(o, "MsgSeq") is not { } seq)
            {
                return null;
            }
            result.Add(seq);
        }
        return result;
    }

    /// <summary>The <paramref name="field"/> of each object in an array (<c>[{ "Member_Account": … }]</c>), else null.</summary>
    private static List<string>? Accounts(JsonNode? node, string field)
    {
        if (node is not JsonArray array)
        {
            return null;
        }
        var result = new List<string>(array.Count);
        foreach (var item in array)
        {
            if (item is not JsonObject o || Str(o, field) is not { } account)
            {
                return null;
            }
            result.Add(account);
        }
        return result;
    }

    private sealed class MemberState(string role, long joinTime)
    {
        public string Role { get; set; } = role;
        public string? NameCard { get; set; }
        public long JoinTime { get; } = joinTime;
        public int Unread { get; set; }
    }

    private sealed class GroupState(string id, string type, string name, string? owner, long createTime)
    {
        public string Id { get; } = id;
        public string Type { get; } = type;
        public string Name { get; set; } = name;
        public string? Owner { get; set; } = owner;
        public string? Introduction { get; set; }
        public string? Notification { get; set; }
        public string? FaceUrl { get; set; }
        public long CreateTime { get; } = createTime;
        public Dictionary<string, MemberState> Members { get; } = new(StringComparer.Ordinal);
        public List<FakeGroupMessage> Messages { get; } = [];
        public List<FakeGroupTip> Tips { get; } = [];
        public long NextSeq { get; set; } = 1;
        public long InfoSeq { get; private set; } = 1;
        public long LastInfoTime { get; private set; } = createTime;

        public void InfoChanged(long now)
        {
            InfoSeq++;
            LastInfoTime = now;
        }

        public FakeGroup Snapshot() => new(Id, Type, Name, Owner, Introduction, Notification, FaceUrl, CreateTime,
            [.. Members.Select(m => new FakeGroupMember(m.Key, m.Value.Role, m.Value.JoinTime, m.Value.Unread, m.Value.NameCard))],
            [.. Messages], [.. Tips]);
    }
}
