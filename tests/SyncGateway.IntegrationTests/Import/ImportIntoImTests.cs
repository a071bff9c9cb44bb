using System.Text.Json.Nodes;
using SyncGateway.Fakes.Im;
using SyncGateway.Fakes.Import;
using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.IntegrationTests.Import;

public sealed class ImportIntoImTests
{
    [Fact]
    public async Task Imports_a_whole_history_phase_by_phase_in_dependency_order()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        await ImportSampleGenerator.WriteAsync(rig.Folder, new ImportSampleSize(Accounts: 30, C2CMessages: 120, Groups: 4, GroupMessages: 60));

        var (outcome, runner) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Empty(rig.Rejects());
        string[] order =
        [
            FakeImApis.MultiAccountImport, FakeImApis.PortraitSet, FakeImApis.FriendImport, FakeImApis.ImportGroup,
            FakeImApis.ImportGroupMember, FakeImApis.ImportMsg, FakeImApis.AdminSetMsgRead, FakeImApis.ImportGroupMsg,
            FakeImApis.SetUnreadMsgNum,
        ];
        var calls = rig.Im.Calls;
        for (var phase = 1; phase < order.Length; phase++)
        {
            var lastOfEarlier = calls.Select((call, index) => (call, index)).Last(c => c.call.Api == order[phase - 1]).index;
            var firstOfThis = calls.Select((call, index) => (call, index)).First(c => c.call.Api == order[phase]).index;
            Assert.True(lastOfEarlier < firstOfThis, $"{order[phase]} reached IM before {order[phase - 1]} finished");
        }
        Assert.All(calls, call => Assert.Equal(0, call.ErrorCode));
        Assert.True(rig.Im.IsImported("u_29"));
        Assert.Equal(4, rig.Im.GroupIds.Count);
        Assert.Equal(60, rig.Im.GroupIds.Sum(id => rig.Im.GetGroup(id)!.Messages.Count));
        Assert.Equal(8, rig.Im.GetC2CMessages("u_0", "u_1").Count);
        Assert.Equal(1, rig.Im.GetGroup("g_0")!.Members.Single(member => member.Account == "u_1").UnreadMsgNum);
        Assert.Equal(120, runner.Phases.Single(phase => phase.Name == ImportPhases.C2CMessages).Items);
    }

    [Fact]
    public async Task Sends_each_batch_api_at_its_documented_maximum()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        rig
            .Write(ImportPhases.Accounts, Enumerable.Range(0, 2600).Select(i => Lines.Account($"u{i}")))
            .Write(ImportPhases.Friends, Enumerable.Range(1, 2500).Select(i => Lines.Friend("u0", $"u{i}")))
            .Write(ImportPhases.Groups, Lines.Group("g1"))
            .Write(ImportPhases.GroupMembers, Enumerable.Range(1, 45).Select(i => Lines.Member("g1", $"u{i}")))
            .Write(ImportPhases.GroupMessages, Enumerable.Range(0, 30).Select(i => Lines.GroupMessage($"m{i}", "g1", $"u{i}", Lines.Created + 3600 + i)));

        var (outcome, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Equal([100], Sizes(rig, FakeImApis.MultiAccountImport, "AccountList").Distinct());
        Assert.Equal([1000, 1000, 500], Sizes(rig, FakeImApis.FriendImport, "AddFriendItem"));
        Assert.Equal([20, 20, 5], Sizes(rig, FakeImApis.ImportGroupMember, "MemberList"));
        Assert.Equal([7, 7, 7, 7, 2], Sizes(rig, FakeImApis.ImportGroupMsg, "MsgList"));
        Assert.Equal(2500, rig.Im.GetFriends("u0").Count);
        Assert.Equal(46, rig.Im.GetGroup("g1")!.Members.Count);
        Assert.Equal(30, rig.Im.GetGroup("g1")!.Messages.Count);
    }

    [Fact]
    public async Task Ten_thousand_accounts_with_nick_and_avatar_take_a_hundred_calls()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        rig.Write(ImportPhases.Accounts, Enumerable.Range(0, 10_000)
            .Select(i => $$"""{"userId":"u{{i}}","nick":"User {{i}}","faceUrl":"https://cdn.example.com/a/{{i}}.png"}"""));

        var (outcome, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Equal(100, rig.Im.CallsTo(FakeImApis.MultiAccountImport).Count);
        Assert.Empty(rig.Im.CallsTo(FakeImApis.AccountImport));
        Assert.Equal("User 9999", rig.Im.GetProfile("u9999")["Tag_Profile_IM_Nick"]!.GetValue<string>());
    }

    [Fact]
    public async Task Imports_accounts_with_a_nick_or_avatar_in_batches_and_sets_their_profile()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        rig.Write(ImportPhases.Accounts, Enumerable.Range(0, 150).Select(i => i % 3 == 0
            ? $$"""{"userId":"u{{i}}","nick":"User {{i}}","faceUrl":"https://cdn.example.com/a/{{i}}.png"}"""
            : Lines.Account($"u{i}")));

        var (outcome, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Equal([100, 50], Sizes(rig, FakeImApis.MultiAccountImport, "AccountList").Order().Reverse());
        Assert.Empty(rig.Im.CallsTo(FakeImApis.AccountImport));
        Assert.All(Enumerable.Range(0, 150), i => Assert.True(rig.Im.IsImported($"u{i}")));
        var profile = rig.Im.GetProfile("u42");
        Assert.Equal("User 42", profile["Tag_Profile_IM_Nick"]!.GetValue<string>());
        Assert.Equal("https://cdn.example.com/a/42.png", profile["Tag_Profile_IM_Image"]!.GetValue<string>());
        Assert.False(rig.Im.GetProfile("u43").ContainsKey("Tag_Profile_IM_Nick"));
    }

    [Fact]
    public async Task Group_history_lands_in_time_order_with_random_from_the_legacy_id()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        rig
            .Write(ImportPhases.Accounts, Lines.Account("u0"), Lines.Account("u1"))
            .Write(ImportPhases.Groups, Lines.Group("g1"))
            .Write(ImportPhases.GroupMessages, Enumerable.Range(0, 20).Select(i => Lines.GroupMessage($"G-{i}", "g1", $"u{i % 2}", Lines.Created + i)));

        await rig.RunAsync();

        var messages = rig.Im.GetGroup("g1")!.Messages;
        Assert.Equal(Enumerable.Range(0, 20).Select(i => Lines.Created + Math.Max(1, i)), messages.Select(message => message.MsgTime));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)ImIds.RandomFor($"G-{i}")), messages.Select(message => message.Random));
    }

    [Fact]
    public async Task Messages_with_several_media_or_custom_elements_land_with_one_custom_element()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        const string image = """{"msgType":"TIMImageElem","msgContent":{"UUID":"i1","ImageFormat":1,"ImageInfoArray":[{"Type":1,"URL":"https://cdn.example.com/1.jpg"}]}}""";
        const string file = """{"msgType":"TIMFileElem","msgContent":{"Url":"https://cdn.example.com/f.pdf","UUID":"f1","Download_Flag":2}}""";
        const string card = """{"msgType":"TIMCustomElem","msgContent":{"Data":"{\"card\":7}"}}""";
        rig
            .Write(ImportPhases.Accounts, Lines.Account("u0"), Lines.Account("u1"))
            .Write(ImportPhases.Groups, Lines.Group("g1"))
            .Write(ImportPhases.GroupMessages,
                $$$"""{"id":"G-1","groupId":"g1","from":"u1","time":{{{Lines.Created + 60}}},"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"files"}},{{{image}}},{{{file}}},{{{card}}}]}""")
            .Write(ImportPhases.C2CMessages,
                $$$"""{"id":"C-1","from":"u0","to":"u1","time":{{{Lines.Created + 60}}},"body":[{{{card}}},{{{image}}},{{{card}}}]}""");

        var (outcome, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Empty(rig.Rejects());
        var group = Assert.Single(rig.Im.GetGroup("g1")!.Messages).MsgBody;
        Assert.Equal(["TIMTextElem", "TIMCustomElem"], group.Select(element => (string?)element!["MsgType"]));
        Assert.Equal(3, JsonNode.Parse((string)group[1]!["MsgContent"]!["Data"]!)!.AsArray().Count);
        var c2c = Assert.Single(rig.Im.GetC2CMessages("u0", "u1")).MsgBody;
        Assert.Equal(["TIMCustomElem", "TIMImageElem"], c2c.Select(element => (string?)element!["MsgType"]));
    }

    private static List<int> Sizes(ImportRig rig, string api, string list)
        => [.. rig.Im.CallsTo(api).Select(call => ((JsonArray)call.Body![list]!).Count)];
}
