using System.Text.Json;
using System.Text.Json.Nodes;
using SyncGateway.Fakes.Im;
using SyncGateway.Im;

namespace SyncGateway.IntegrationTests.Fakes;

/// <summary>The fake's history reads (what a gap repair asks IM) and the callbacks and seqs it loses or skips on purpose.</summary>
public sealed class FakeImServerHistoryTests : IAsyncLifetime
{
    private const string Key = "fake-key-for-tests";

    private readonly FakeImServer _im = new(new FakeImOptions { AdminIdentifier = "gw_admin", SecretKey = Key });
    private readonly HttpClient _raw = new();
    private CallbackReceiver _receiver = null!;

    public async Task InitializeAsync()
    {
        await _im.StartAsync();
        _receiver = await CallbackReceiver.StartAsync();
        _im.Options.CallbackUrl = _receiver.Url;
    }

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _im.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<JsonObject> CallAsync(string api, object body)
    {
        var userSig = UserSig.Generate(_im.Options.SdkAppId, Key, "gw_admin", 86400, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var url = new Uri(_im.BaseUrl, $"/v4/{api}?sdkappid={_im.Options.SdkAppId}&identifier=gw_admin&usersig={userSig}&random=7&contenttype=json");
        using var content = new StringContent(JsonSerializer.Serialize(body));
        using var response = await _raw.PostAsync(url, content);
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static int Code(JsonObject answer) => (int)answer["ErrorCode"]!;

    private static List<JsonObject> Items(JsonObject answer, string list) => [.. answer[list]!.AsArray().Select(i => i!.AsObject())];

    private static long[] Seqs(JsonObject answer) => [.. Items(answer, "RspMsgList").Select(m => (long)m["MsgSeq"]!)];

    private Task<JsonObject> GroupHistoryAsync(string groupId, int number, long? seq = null, bool withRecalled = false)
        => CallAsync(FakeImApis.GroupMsgGetSimple, new { GroupId = groupId, ReqMsgNumber = number, ReqMsgSeq = seq, WithRecalledMsg = withRecalled ? 1 : 0 });

    private Task<JsonObject> RoamAsync(string viewer, string peer, int maxCnt, long minTime, long maxTime, string? lastMsgKey = null)
        => CallAsync(FakeImApis.AdminGetRoamMsg, new { Operator_Account = viewer, Peer_Account = peer, MaxCnt = maxCnt, MinTime = minTime, MaxTime = maxTime, LastMsgKey = lastMsgKey });

    /// <summary>Imports a 1:1 message at <paramref name="time"/> with seq <paramref name="seq"/>; returns its MsgKey.</summary>
    private async Task<string> ImportC2CAsync(string from, string to, long time, long seq, string text)
    {
        Assert.Equal(0, Code(await CallAsync(FakeImApis.ImportMsg, new
        {
            SyncFromOldSystem = 2, From_Account = from, To_Account = to, MsgSeq = seq, MsgRandom = seq + 1000, MsgTimeStamp = time,
            MsgBody = FakeImServer.TextBody(text),
        })));
        return $"{seq}_{seq + 1000}_{time}";
    }

    private async Task<string> GroupWithMessagesAsync(int messages, string type = "Public")
    {
        var groupId = await _im.SimulateUserCreateGroupAsync("owner", "History", type);
        for (var i = 1; i <= messages; i++)
        {
            await _im.SimulateUserGroupMessageAsync(groupId, "owner", $"message {i}");
        }
        return groupId;
    }

    [Fact]
    public async Task Group_history_pages_newest_first_at_most_twenty_per_call()
    {
        var groupId = await GroupWithMessagesAsync(25);

        var first = await GroupHistoryAsync(groupId, 30);
        var second = await GroupHistoryAsync(groupId, 20, seq: Seqs(first).Min() - 1);

        Assert.Equal(0, Code(first));
        Assert.Equal(groupId, (string)first["GroupId"]!);
        Assert.Equal(0, (int)first["IsFinished"]!);
        Assert.Equal(Enumerable.Range(6, 20).Reverse().Select(i => (long)i), Seqs(first));
        Assert.Equal(1, (int)second["IsFinished"]!);
        Assert.Equal([5L, 4, 3, 2, 1], Seqs(second));
        var newest = Items(first, "RspMsgList")[0];
        var stored = _im.GetGroupMessage(groupId, 25)!;
        Assert.Equal("owner", (string)newest["From_Account"]!);
        Assert.Equal(0, (int)newest["IsPlaceMsg"]!);
        Assert.Equal(2, (int)newest["MsgPriority"]!);
        Assert.Equal(stored.Random, (long)newest["MsgRandom"]!);
        Assert.Equal(stored.MsgTime, (long)newest["MsgTimeStamp"]!);
        Assert.Equal("message 25", (string)newest["MsgBody"]![0]!["MsgContent"]!["Text"]!);
        Assert.False(newest.ContainsKey("IsSystemMsg"));
    }

    [Fact]
    public async Task Group_history_returns_the_requested_seqs_up_to_ReqMsgSeq_and_nothing_above_the_newest()
    {
        var groupId = await GroupWithMessagesAsync(6);

        var window = await GroupHistoryAsync(groupId, 3, seq: 4);
        var beyond = await GroupHistoryAsync(groupId, 2, seq: 99);
        var empty = await GroupHistoryAsync(await GroupWithMessagesAsync(0), 20);

        Assert.Equal([4L, 3, 2], Seqs(window));
        Assert.Equal([6L, 5], Seqs(beyond));
        Assert.Empty(Seqs(empty));
        Assert.Equal(1, (int)empty["IsFinished"]!);
    }

    [Fact]
    public async Task Group_history_lists_recalled_messages_only_when_asked_with_IsPlaceMsg_2_and_no_body()
    {
        var groupId = await GroupWithMessagesAsync(3);
        await _im.SimulateUserRecallGroupMessageAsync(groupId, "owner", 2);

        var without = await GroupHistoryAsync(groupId, 20);
        var with = await GroupHistoryAsync(groupId, 20, withRecalled: true);

        Assert.Equal([3L, 1], Seqs(without));
        Assert.Equal([3L, 2, 1], Seqs(with));
        var recalled = Items(with, "RspMsgList")[1];
        Assert.Equal(2, (int)recalled["IsPlaceMsg"]!);
        Assert.Empty(recalled["MsgBody"]!.AsArray());
    }

    [Fact]
    public async Task Group_members_page_by_Limit_and_Offset_in_join_order_with_the_filtered_fields_and_the_whole_count()
    {
        _im.SeedAccounts("owner", "u_1", "u_2", "u_3");
        var groupId = await _im.SimulateUserCreateGroupAsync("owner", "Members");
        foreach (var member in new[] { "u_1", "u_2", "u_3" })
        {
            await _im.SimulateUserJoinGroupAsync(groupId, member);
        }

        var all = await CallAsync(FakeImApis.GetGroupMemberInfo, new { GroupId = groupId });
        var page = await CallAsync(FakeImApis.GetGroupMemberInfo, new { GroupId = groupId, Limit = 2, Offset = 1, MemberInfoFilter = new[] { "JoinTime" } });
        var owners = await CallAsync(FakeImApis.GetGroupMemberInfo, new { GroupId = groupId, MemberRoleFilter = new[] { "Owner" } });

        Assert.Equal(0, Code(all));
        Assert.Equal(4, (int)all["MemberNum"]!);
        Assert.Equal(["owner", "u_1", "u_2", "u_3"], Items(all, "MemberList").Select(m => (string)m["Member_Account"]!));
        var first = Items(all, "MemberList")[0];
        Assert.Equal("Owner", (string)first["Role"]!);
        Assert.True(first.ContainsKey("JoinTime") && first.ContainsKey("MsgSeq") && first.ContainsKey("NameCard"));
        Assert.Equal(4, (int)page["MemberNum"]!);
        Assert.Equal(["u_1", "u_2"], Items(page, "MemberList").Select(m => (string)m["Member_Account"]!));
        Assert.Equal(["JoinTime", "Member_Account"], Items(page, "MemberList")[0].Select(f => f.Key).Order(StringComparer.Ordinal));
        Assert.Equal("owner", (string)Assert.Single(Items(owners, "MemberList"))["Member_Account"]!);
    }

    [Fact]
    public async Task Group_members_answer_the_documented_codes()
    {
        var groupId = await _im.SimulateUserCreateGroupAsync("owner", "Members");
        await _im.SimulateUserDestroyGroupAsync(groupId, "owner");

        Assert.Equal(10004, Code(await CallAsync(FakeImApis.GetGroupMemberInfo, new { Limit = 10 })));
        Assert.Equal(10004, Code(await CallAsync(FakeImApis.GetGroupMemberInfo, new { GroupId = groupId, Limit = 6001 })));
        Assert.Equal(10004, Code(await CallAsync(FakeImApis.GetGroupMemberInfo, new { GroupId = groupId, Offset = -1 })));
        Assert.Equal(10010, Code(await CallAsync(FakeImApis.GetGroupMemberInfo, new { GroupId = groupId })));
        Assert.Equal(10010, Code(await CallAsync(FakeImApis.GetGroupMemberInfo, new { GroupId = "g_never" })));
    }

    [Fact]
    public async Task Group_history_answers_the_documented_codes()
    {
        var live = await _im.SimulateUserCreateGroupAsync("owner", "Live", "AVChatRoom");

        Assert.Equal(10004, Code(await CallAsync(FakeImApis.GroupMsgGetSimple, new { ReqMsgNumber = 5 })));
        Assert.Equal(10004, Code(await CallAsync(FakeImApis.GroupMsgGetSimple, new { GroupId = live })));
        Assert.Equal(10010, Code(await GroupHistoryAsync("g_never", 5)));
        Assert.Equal(10007, Code(await GroupHistoryAsync(live, 5)));
    }

    [Fact]
    public async Task Group_tips_take_seqs_without_a_send_callback_and_show_as_system_messages()
    {
        _im.Options.GroupTipsTakeSeqs = true;
        var groupId = await _im.SimulateUserCreateGroupAsync("owner", "Tips", "Public");
        var meeting = await _im.SimulateUserCreateGroupAsync("owner", "Meeting", "ChatRoom");

        await _im.SimulateUserGroupMessageAsync(groupId, "owner", "one");
        await _im.SimulateUserJoinGroupAsync(groupId, "m1");
        await _im.SimulateUserGroupMessageAsync(groupId, "m1", "three");
        await _im.SimulateUserChangeGroupInfoAsync(groupId, "owner", name: "Renamed");
        var notice = _im.SimulateGroupTip(groupId);
        await _im.SimulateUserJoinGroupAsync(meeting, "m1");
        var listed = await GroupHistoryAsync(groupId, 20);
        _im.Options.GroupTipsInHistory = false;
        var withoutTips = await GroupHistoryAsync(groupId, 20);

        Assert.Equal(5, notice.MsgSeq);
        Assert.Equal(["MemberJoin", "GroupInfoChanged", "Notice"], _im.GetGroup(groupId)!.Tips.Select(t => t.Kind));
        Assert.Empty(_im.GetGroup(meeting)!.Tips);
        Assert.Equal([1L, 3], _receiver.Received.Where(r => r.Query["CallbackCommand"] == "Group.CallbackAfterSendMsg").Select(r => (long)r.Body["MsgSeq"]!));
        Assert.Equal([5L, 4, 3, 2, 1], Seqs(listed));
        Assert.Equal([1, 1, 0, 1, 0], Items(listed, "RspMsgList").Select(m => (int?)m["IsSystemMsg"] ?? 0));
        Assert.Equal("m1", (string)Items(listed, "RspMsgList")[3]["From_Account"]!);
        Assert.Equal([3L, 1], Seqs(withoutTips));
    }

    [Fact]
    public async Task Group_info_answers_NextMsgSeq_InfoSeq_and_only_the_filtered_member_fields()
    {
        _im.Options.GroupTipsTakeSeqs = true;
        var groupId = await _im.SimulateUserCreateGroupAsync("owner", "Info", "Work", members: ["m1"]);
        await _im.SimulateUserGroupMessageAsync(groupId, "m1", "hello");
        await _im.SimulateUserChangeGroupInfoAsync(groupId, "owner", introduction: "about us");
        await _im.SimulateUserRecallGroupMessageAsync(groupId, "m1", 1);

        var filtered = await CallAsync(FakeImApis.GetGroupInfo, new
        {
            GroupIdList = new[] { groupId },
            ResponseFilter = new { GroupBaseInfoFilter = new[] { "NextMsgSeq", "InfoSeq", "LastMsgTime" }, MemberInfoFilter = new[] { "Role" } },
        });
        var whole = await CallAsync(FakeImApis.GetGroupInfo, new { GroupIdList = new[] { groupId } });

        var info = Items(filtered, "GroupInfo")[0];
        Assert.Equal(3, (long)info["NextMsgSeq"]!);
        Assert.Equal(2, (long)info["InfoSeq"]!);
        Assert.True((long)info["LastMsgTime"]! > 0);
        Assert.False(info.ContainsKey("Name"));
        Assert.Equal(["Member_Account", "Role"], Items(info, "MemberList")[0].Select(f => f.Key).Order());
        var all = Items(whole, "GroupInfo")[0];
        Assert.Equal("about us", (string)all["Introduction"]!);
        Assert.Equal("Off", (string)all["MuteAllMember"]!);
        var m1 = Items(all, "MemberList").Single(m => (string)m["Member_Account"]! == "m1");
        Assert.Equal(["JoinTime", "Member_Account", "MsgSeq", "MuteUntil", "NameCard", "Role"], m1.Select(f => f.Key).Order());
    }

    [Fact]
    public async Task Roam_history_pages_backwards_by_time_with_both_bounds_inclusive()
    {
        var t0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1000;
        var keys = new List<string>();
        for (var i = 1; i <= 6; i++)
        {
            keys.Add(await ImportC2CAsync(i % 2 == 0 ? "alice" : "bob", i % 2 == 0 ? "bob" : "alice", t0 + i, i, $"m{i}"));
        }
        await ImportC2CAsync("alice", "bob", t0 + 100, 100, "after the range");
        await ImportC2CAsync("alice", "carol", t0 + 5, 200, "another conversation");

        var first = await RoamAsync("bob", "alice", 4, t0 + 2, t0 + 6);
        var next = await RoamAsync("bob", "alice", 4, t0 + 2, (long)first["LastMsgTime"]!, (string)first["LastMsgKey"]!);

        Assert.Equal(0, (int)first["Complete"]!);
        Assert.Equal(4, (int)first["MsgCnt"]!);
        Assert.Equal(keys[2..6], Items(first, "MsgList").Select(m => (string)m["MsgKey"]!));
        Assert.Equal(t0 + 3, (long)first["LastMsgTime"]!);
        Assert.Equal(keys[2], (string)first["LastMsgKey"]!);
        Assert.Equal(1, (int)next["Complete"]!);
        Assert.Equal([keys[1]], Items(next, "MsgList").Select(m => (string)m["MsgKey"]!));
        var item = Items(first, "MsgList")[1];
        Assert.Equal("alice", (string)item["From_Account"]!);
        Assert.Equal("bob", (string)item["To_Account"]!);
        Assert.Equal(4, (long)item["MsgSeq"]!);
        Assert.Equal(1004, (long)item["MsgRandom"]!);
        Assert.Equal(t0 + 4, (long)item["MsgTimeStamp"]!);
        Assert.Equal(0, (int)item["MsgFlagBits"]!);
        Assert.Equal("m4", (string)item["MsgBody"]![0]!["MsgContent"]!["Text"]!);
        Assert.Equal("", (string)item["CloudCustomData"]!);
    }

    [Fact]
    public async Task Roam_history_continues_within_one_second_by_LastMsgKey()
    {
        var time = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        string[] keys = [await ImportC2CAsync("a", "b", time, 7, "x"), await ImportC2CAsync("b", "a", time, 8, "y"), await ImportC2CAsync("a", "b", time, 9, "z")];

        var seen = new List<string>();
        var page = await RoamAsync("a", "b", 1, time, time);
        seen.AddRange(Items(page, "MsgList").Select(m => (string)m["MsgKey"]!));
        while ((int)page["Complete"]! == 0)
        {
            page = await RoamAsync("a", "b", 1, time, (long)page["LastMsgTime"]!, (string)page["LastMsgKey"]!);
            seen.AddRange(Items(page, "MsgList").Select(m => (string)m["MsgKey"]!));
        }

        Assert.Equal([keys[2], keys[1], keys[0]], seen);
    }

    [Fact]
    public async Task Roam_history_flags_recalled_messages_and_cuts_a_page_at_13_KB()
    {
        var time = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        var big = new string('x', 5000);
        for (var i = 1; i <= 4; i++)
        {
            await ImportC2CAsync("a", "b", time + i, i, big);
        }
        var recalled = await _im.SimulateUserC2CMessageAsync("a", "b", "oops");
        await _im.SimulateUserRecallC2CAsync("a", "b", recalled.MsgKey);

        var flagged = await RoamAsync("b", "a", 1, recalled.MsgTime, recalled.MsgTime);
        var cut = await RoamAsync("a", "b", 100, time, time + 4);

        Assert.Equal(8, (int)Items(flagged, "MsgList").Single()["MsgFlagBits"]!);
        Assert.Equal(2, (int)cut["MsgCnt"]!);
        Assert.Equal(0, (int)cut["Complete"]!);
        Assert.Equal(time + 3, (long)cut["LastMsgTime"]!);
    }

    [Fact]
    public async Task Roam_history_answers_the_documented_codes()
    {
        Assert.Equal(90008, Code(await CallAsync(FakeImApis.AdminGetRoamMsg, new { Peer_Account = "b", MaxCnt = 5, MinTime = 0, MaxTime = 1 })));
        Assert.Equal(90003, Code(await CallAsync(FakeImApis.AdminGetRoamMsg, new { Operator_Account = "a", MaxCnt = 5, MinTime = 0, MaxTime = 1 })));
        Assert.Equal(90001, Code(await CallAsync(FakeImApis.AdminGetRoamMsg, new { Operator_Account = "a", Peer_Account = "b", MinTime = 0, MaxTime = 1 })));
        var empty = await RoamAsync("a", "b", 5, 0, 1);
        Assert.Equal(1, (int)empty["Complete"]!);
        Assert.Equal(0, (int)empty["MsgCnt"]!);
    }

    [Fact]
    public async Task History_reads_are_refused_above_an_enforced_rate()
    {
        _im.EnforceRateLimit(FakeImApis.GroupMsgGetSimple, 2);
        _im.EnforceRateLimit(FakeImApis.AdminGetRoamMsg, 1);
        var groupId = await GroupWithMessagesAsync(1);

        var group = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            group.Add(Code(await GroupHistoryAsync(groupId, 1)));
        }
        var roam = new[] { Code(await RoamAsync("a", "b", 5, 0, 1)), Code(await RoamAsync("a", "b", 5, 0, 1)) };

        Assert.Equal([0, 0, 60007], group);
        Assert.Equal([0, 60007], roam);
        Assert.Equal(1, _im.RateLimitViolations(FakeImApis.GroupMsgGetSimple));
    }

    [Fact]
    public async Task A_lost_callback_is_recorded_not_posted_and_its_message_stays_in_history()
    {
        _im.Options.LoseCallback = body => (string?)body["CallbackCommand"] == "Group.CallbackAfterSendMsg" && (long?)body["MsgSeq"] == 2;
        var groupId = await GroupWithMessagesAsync(3);

        var history = await GroupHistoryAsync(groupId, 20);
        var lost = Assert.Single(_im.LostCallbacks);
        Assert.True(lost.Lost);
        Assert.False(lost.Delivered);
        Assert.Null(lost.Uri);
        Assert.Equal(2, (long)lost.Body["MsgSeq"]!);
        Assert.Equal([1L, 3], _receiver.Received.Where(r => r.Query["CallbackCommand"] == "Group.CallbackAfterSendMsg").Select(r => (long)r.Body["MsgSeq"]!));
        Assert.Equal([3L, 2, 1], Seqs(history));
    }

    [Fact]
    public async Task A_seeded_loss_rate_loses_the_same_callbacks_again_after_a_reset()
    {
        _im.Options.CallbackUrl = null;
        _im.Options.CallbackLossRate = 0.5;
        _im.Options.CallbackLossSeed = 42;

        async Task<long[]> LostSeqsAsync()
        {
            await GroupWithMessagesAsync(40);
            return [.. _im.LostCallbacks.Where(c => c.Command == "Group.CallbackAfterSendMsg").Select(c => (long)c.Body["MsgSeq"]!)];
        }
        var first = await LostSeqsAsync();
        _im.Reset();
        var again = await LostSeqsAsync();

        Assert.InRange(first.Length, 5, 35);
        Assert.Equal(first, again);
        Assert.Equal(41, _im.Callbacks.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => _im.Options.CallbackLossRate = 1.5);
    }
}
