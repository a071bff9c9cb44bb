using System.Text.Json;
using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class ImportWireFormatTests : IDisposable
{
    private readonly ImportFolder _folder = new();
    private readonly RecordingImClient _im = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Imports_1to1_history_with_msg_random_from_the_legacy_id_and_msg_seq_ordering_each_second()
    {
        _folder.Write(ImportPhases.C2CMessages,
            Lines.C2C("L-1001", "a", "b", Lines.Created),
            Lines.C2C("L-1002", "b", "a", Lines.Created),
            Lines.C2C("L-1003", "a", "b", Lines.Created + 1),
            """{"id":"L-1004","from":"a","to":"b","time":1600000001,"msgSeq":77,"cloudCustomData":"x","body":[{"msgType":"TIMImageElem","msgContent":{"UUID":"i1","ImageFormat":1}}]}""");

        await _folder.RunAsync(_im);

        var calls = _im.CallsTo(ImApi.ImportMsg);
        Assert.Equal(2, calls[0].Body.GetProperty("SyncFromOldSystem").GetInt32());
        Assert.Equal(ImIds.RandomFor("L-1001"), calls[0].Body.GetProperty("MsgRandom").GetUInt32());
        Assert.Equal([1u, 2u, 1u, 77u], calls.Select(call => call.Body.GetProperty("MsgSeq").GetUInt32()));
        Assert.Equal("""[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]""", calls[0].Body.GetProperty("MsgBody").GetRawText());
        Assert.Equal("TIMImageElem", calls[3].Array("MsgBody").Single().GetProperty("MsgType").GetString());
        Assert.Equal("x", calls[3].Str("CloudCustomData"));
        Assert.False(calls[0].Body.TryGetProperty("CloudCustomData", out _));
    }

    [Fact]
    public async Task Sends_group_messages_with_random_from_the_legacy_id_and_wraps_elements_import_group_msg_refuses()
    {
        const string image = """{"msgType":"TIMImageElem","msgContent":{"UUID":"i1","ImageFormat":1,"ImageInfoArray":[{"Type":1,"URL":"https://cdn.example.com/1.jpg"}]}}""";
        _folder.Write(ImportPhases.GroupMessages,
            $$$"""{"id":"G-99120","groupId":"g1","from":"u1","time":1600000500,"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"look"}},{{{image}}}]}""");

        await _folder.RunAsync(_im);

        var call = _im.CallsTo(ImApi.ImportGroupMsg).Single();
        Assert.Equal(1, call.Body.GetProperty("RecentContactFlag").GetInt32());
        var message = call.Array("MsgList").Single();
        Assert.Equal(ImIds.RandomFor("G-99120"), message.GetProperty("Random").GetUInt32());
        var body = message.GetProperty("MsgBody").EnumerateArray().ToList();
        Assert.Equal("TIMTextElem", body[0].GetProperty("MsgType").GetString());
        Assert.Equal("TIMCustomElem", body[1].GetProperty("MsgType").GetString());
        var custom = body[1].GetProperty("MsgContent");
        Assert.Equal("[image]", custom.GetProperty("Desc").GetString());
        Assert.Equal(MessageBodies.ConvertedExt, custom.GetProperty("Ext").GetString());
        using var original = JsonDocument.Parse(custom.GetProperty("Data").GetString()!);
        Assert.Equal("TIMImageElem", original.RootElement.GetProperty("MsgType").GetString());
        Assert.Equal("https://cdn.example.com/1.jpg", original.RootElement.GetProperty("MsgContent").GetProperty("ImageInfoArray")[0].GetProperty("URL").GetString());
    }

    [Fact]
    public async Task Moves_join_and_send_times_at_the_groups_creation_to_one_second_after_it()
    {
        _folder
            .Write(ImportPhases.Groups, Lines.Group("g1", created: Lines.Created))
            .Write(ImportPhases.GroupMembers, Lines.Member("g1", "u1", joined: Lines.Created), Lines.Member("g1", "u2", joined: Lines.Created + 50))
            .Write(ImportPhases.GroupMessages, Lines.GroupMessage("m1", "g1", "u1", Lines.Created - 10), Lines.GroupMessage("m2", "g1", "u1", Lines.Created + 60));

        await _folder.RunAsync(_im);

        var group = _im.CallsTo(ImApi.ImportGroup).Single();
        Assert.Equal(Lines.Created, group.Body.GetProperty("CreateTime").GetInt64());
        Assert.Equal("u0", group.Str("Owner_Account"));
        var joins = _im.CallsTo(ImApi.ImportGroupMember).Single().Array("MemberList").Select(member => member.GetProperty("JoinTime").GetInt64());
        Assert.Equal([Lines.Created + 1, Lines.Created + 50], joins);
        var sends = _im.CallsTo(ImApi.ImportGroupMsg).Single().Array("MsgList").Select(message => message.GetProperty("SendTime").GetInt64());
        Assert.Equal([Lines.Created + 1, Lines.Created + 60], sends);
    }

    [Fact]
    public async Task Leaves_messages_at_or_after_the_cut_off_to_the_live_sync()
    {
        _folder
            .Write(ImportPhases.C2CMessages, Enumerable.Range(0, 10).Select(i => Lines.C2C($"c{i}", "a", "b", Lines.Created + i)))
            .Write(ImportPhases.GroupMessages, Enumerable.Range(0, 10).Select(i => Lines.GroupMessage($"m{i}", "g1", "a", Lines.Created + i)));

        var (_, runner) = await _folder.RunAsync(_im, _folder.Request(until: Lines.Created + 4));

        Assert.Equal(4, _im.CallsTo(ImApi.ImportMsg).Count);
        Assert.Equal(4, _im.CallsTo(ImApi.ImportGroupMsg).Sum(call => call.Array("MsgList").Count()));
        Assert.All(runner.Phases.Where(phase => phase.Name.EndsWith("messages", StringComparison.Ordinal)), phase => Assert.Equal(6, phase.CutOff));
    }

    [Fact]
    public async Task Writes_profiles_read_marks_and_unread_counts_in_ims_field_names()
    {
        _folder
            .Write(ImportPhases.Profiles, Lines.Profile("u1"))
            .Write(ImportPhases.C2CReadMarks, Lines.ReadMark("u2", "u1", 1672531300))
            .Write(ImportPhases.GroupUnread, Lines.Unread("g1", "u4", 3));

        await _folder.RunAsync(_im);

        Assert.Equal(
            """{"From_Account":"u1","ProfileItem":[{"Tag":"Tag_Profile_IM_Gender","Value":"Gender_Type_Female"},{"Tag":"Tag_Profile_IM_BirthDay","Value":19900421}]}""",
            _im.CallsTo(ImApi.PortraitSet).Single().Body.GetRawText());
        Assert.Equal(
            """{"Report_Account":"u2","Peer_Account":"u1","MsgReadTime":"1672531300"}""",
            _im.CallsTo(ImApi.AdminSetMsgRead).Single().Body.GetRawText());
        Assert.Equal(
            """{"GroupId":"g1","Member_Account":"u4","UnreadMsgNum":3}""",
            _im.CallsTo(ImApi.SetUnreadMsgNum).Single().Body.GetRawText());
    }
}
