using System.Text.Json;
using System.Text.Json.Nodes;
using SyncGateway.Events;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using static SyncGateway.Tests.FromIm.CallbackSamples;

namespace SyncGateway.Tests.FromIm;

public sealed class ImCallbackParserTests
{
    private const string GroupId = "@TGS#2KDFJ3ASL";

    private readonly ImCallbackParser _parser = new(SdkAppId, relayUndeliveredC2CMessages: false);

    [Fact]
    public void Reads_a_c2c_message()
    {
        var evt = Accept<ImC2CMessageSent>(C2CMessage);

        var d = evt.Data;
        Assert.Equal("u_10086", d.From);
        Assert.Equal("u_20017", d.To);
        Assert.Equal(517364, d.MsgSeq);
        Assert.Equal(1850291734, d.MsgRandom);
        Assert.Equal(1736920800, d.MsgTime);
        Assert.Equal("517364_1850291734_1736920800", d.MsgKey);
        Assert.Equal("144115212345678901-1736920800-1850291734", d.MsgId);
        Assert.Equal("{\"app\":\"mobile\"}", d.CloudCustomData);
        Assert.False(d.OnlineOnly);
        Assert.Equal(0, d.SendMsgResult);
        Assert.Null(d.LegacyMessageId);
        Assert.Collection(d.Body,
            e =>
            {
                Assert.Equal("TIMTextElem", e.MsgType);
                Assert.Equal("See you at 7?", e.MsgContent.GetProperty("Text").GetString());
            },
            e =>
            {
                Assert.Equal("TIMFaceElem", e.MsgType);
                Assert.Equal(12, e.MsgContent.GetProperty("Index").GetInt32());
                Assert.Equal("smile", e.MsgContent.GetProperty("Data").GetString());
            });
        AssertMeta(evt.Meta, EventTypes.ImC2CMessageSent, "c2c:u_10086:u_20017", DateTimeOffset.FromUnixTimeMilliseconds(1736920800123));
    }

    [Fact]
    public void Gives_both_directions_of_a_conversation_the_same_subject()
    {
        var reply = Edit(C2CMessage, json =>
        {
            json["From_Account"] = "u_20017";
            json["To_Account"] = "u_10086";
        });

        Assert.Equal("c2c:u_10086:u_20017", Accept<ImC2CMessageSent>(reply).Meta.Subject);
    }

    [Fact]
    public void Orders_c2c_subject_ids_ordinally_so_upper_case_sorts_first()
    {
        var body = Edit(C2CMessage, json =>
        {
            json["From_Account"] = "alice";
            json["To_Account"] = "Bob";
        });

        Assert.Equal("c2c:Bob:alice", Accept<ImC2CMessageSent>(body).Meta.Subject);
    }

    [Fact]
    public void Reads_event_time_given_as_a_quoted_string_and_uint32_randoms_above_int_max()
    {
        var body = Edit(C2CMessage, json =>
        {
            json["EventTime"] = "1736920800999";
            json["MsgRandom"] = 3057718812;
            json["MsgSeq"] = 4294967295;
        });

        var evt = Accept<ImC2CMessageSent>(body);

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1736920800999), evt.Meta.Time);
        Assert.Equal(3057718812, evt.Data.MsgRandom);
        Assert.Equal(4294967295, evt.Data.MsgSeq);
    }

    [Fact]
    public void Reads_a_group_random_above_int_max()
    {
        var evt = Accept<ImGroupMessageSent>(With(GroupMessage, "Random", 4000000001));

        Assert.Equal(4000000001, evt.Data.Random);
    }

    [Fact]
    public void Takes_the_time_from_msg_time_in_seconds_when_event_time_is_absent()
    {
        var evt = Accept<ImC2CMessageSent>(Without(C2CMessage, "EventTime"));

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1736920800), evt.Meta.Time);
    }

    [Fact]
    public void Takes_the_time_of_arrival_when_the_body_has_no_time()
    {
        var evt = Accept<ImGroupCreated>(Without(GroupCreated, "EventTime"));

        Assert.Equal(ReceivedAt, evt.Meta.Time);
    }

    [Fact]
    public void Reads_a_group_creation()
    {
        var evt = Accept<ImGroupCreated>(GroupCreated);

        var d = evt.Data;
        Assert.Equal(GroupId, d.GroupId);
        Assert.Equal("Public", d.Type);
        Assert.Equal("Weekend hikers", d.Name);
        Assert.Equal("u_10086", d.Owner);
        Assert.Equal("u_10086", d.Operator);
        Assert.Equal(["u_20017", "u_30555"], d.Members!);
        Assert.Equal([new CustomField("legacy_room", "room-88")], d.CustomFields!);
        AssertMeta(evt.Meta, EventTypes.ImGroupCreated, "group:" + GroupId, DateTimeOffset.FromUnixTimeMilliseconds(1736921000456));
    }

    [Fact]
    public void Reads_a_group_dismissal()
    {
        var evt = Accept<ImGroupDismissed>(GroupDestroyed);

        var d = evt.Data;
        Assert.Equal(GroupId, d.GroupId);
        Assert.Equal("Public", d.Type);
        Assert.Equal("Weekend hikers", d.Name);
        Assert.Equal("u_10086", d.Owner);
        Assert.Equal(["u_10086", "u_20017", "u_30555"], d.Members!);
        AssertMeta(evt.Meta, EventTypes.ImGroupDismissed, "group:" + GroupId, DateTimeOffset.FromUnixTimeMilliseconds(1736990000789));
    }

    [Fact]
    public void Reads_a_profile_change_with_only_the_changed_fields()
    {
        var evt = Accept<ImGroupProfileChanged>(GroupInfoChanged);

        var d = evt.Data;
        Assert.Equal(GroupId, d.GroupId);
        Assert.Equal("Public", d.Type);
        Assert.Equal("u_20017", d.Operator);
        Assert.Equal("Weekend hikers 2025", d.Name);
        Assert.Equal("Meet at the north gate at 08:00", d.Notification);
        Assert.Null(d.Introduction);
        Assert.Null(d.FaceUrl);
        Assert.Null(d.CustomFields);
        AssertMeta(evt.Meta, EventTypes.ImGroupProfileChanged, "group:" + GroupId, DateTimeOffset.FromUnixTimeMilliseconds(1736950000001));
    }

    [Fact]
    public void Reads_changed_custom_fields_of_the_older_profile_change_format()
    {
        var body = With(GroupInfoChanged, "UserDefinedDataList", JsonNode.Parse("""[ { "Key": "legacy_room", "Value": "room-99" } ]"""));

        Assert.Equal([new CustomField("legacy_room", "room-99")], Accept<ImGroupProfileChanged>(body).Data.CustomFields!);
    }

    [Fact]
    public void Reads_members_joining()
    {
        var evt = Accept<ImGroupMembersJoined>(NewMemberJoin);

        var d = evt.Data;
        Assert.Equal(GroupId, d.GroupId);
        Assert.Equal(["u_40404"], d.Members);
        Assert.Equal("Public", d.Type);
        Assert.Equal("Invited", d.JoinType);
        Assert.Equal("u_10086", d.Operator);
        AssertMeta(evt.Meta, EventTypes.ImGroupMembersJoined, "group:" + GroupId, DateTimeOffset.FromUnixTimeMilliseconds(1736951000002));
    }

    [Fact]
    public void Reads_members_leaving()
    {
        var evt = Accept<ImGroupMembersLeft>(MemberExit);

        var d = evt.Data;
        Assert.Equal(GroupId, d.GroupId);
        Assert.Equal(["u_30555"], d.Members);
        Assert.Equal("Public", d.Type);
        Assert.Equal("Quit", d.ExitType);
        Assert.Equal("u_30555", d.Operator);
        AssertMeta(evt.Meta, EventTypes.ImGroupMembersLeft, "group:" + GroupId, DateTimeOffset.FromUnixTimeMilliseconds(1736952000003));
    }

    [Fact]
    public void Reads_a_group_message()
    {
        var evt = Accept<ImGroupMessageSent>(GroupMessage);

        var d = evt.Data;
        Assert.Equal(GroupId, d.GroupId);
        Assert.Equal("u_20017", d.From);
        Assert.Equal("u_20017", d.Operator);
        Assert.Equal(302115987, d.Random);
        Assert.Equal(42, d.MsgSeq);
        Assert.Equal("144115212345678902-1736953000-302115987", d.MsgId);
        Assert.Equal(1736953000, d.MsgTime);
        Assert.False(d.OnlineOnly);
        Assert.Equal("", d.CloudCustomData);
        Assert.Null(d.TopicId);
        Assert.Equal([new GroupMention(AtAll: true, Account: null)], d.Mentions!);
        Assert.Collection(d.Body,
            e => Assert.Equal("@all trail is muddy, bring boots", e.MsgContent.GetProperty("Text").GetString()),
            e =>
            {
                Assert.Equal("TIMLocationElem", e.MsgType);
                Assert.Equal(22.5431, e.MsgContent.GetProperty("Latitude").GetDouble());
            });
        AssertMeta(evt.Meta, EventTypes.ImGroupMessageSent, "group:" + GroupId, DateTimeOffset.FromUnixTimeMilliseconds(1736953000321));
    }

    [Fact]
    public void Reads_mentions_of_single_members_and_the_topic()
    {
        var body = Edit(GroupMessage, json =>
        {
            json["GroupAtInfo"] = JsonNode.Parse("""[ { "GroupAtAllFlag": 0, "GroupAt_Account": "u_40404" } ]""");
            json["TopicId"] = "@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic";
        });

        var d = Accept<ImGroupMessageSent>(body).Data;

        Assert.Equal([new GroupMention(AtAll: false, Account: "u_40404")], d.Mentions!);
        Assert.Equal("@TGS#_@TGS#cQVLVHIM62CJ@TOPIC#_TestTopic", d.TopicId);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(CallbackSamples))]
    public void Gives_the_same_body_the_same_id_whenever_it_arrives(string command, string body)
    {
        var first = Event(_parser.Parse(command, Bytes(body), ReceivedAt));
        var second = Event(_parser.Parse(command, Bytes(body), ReceivedAt.AddMinutes(5)));

        Assert.Equal(first.Meta.Id, second.Meta.Id);
    }

    public static TheoryData<string, string, string> DifferentEvents => new()
    {
        { C2CMessageDeclaration.Command, C2CMessage, With(C2CMessage, "MsgKey", "517365_1850291735_1736920801") },
        { C2CMessageDeclaration.Command, Without(C2CMessage, "MsgKey"), Edit(C2CMessage, j => { j.Remove("MsgKey"); j["MsgRandom"] = 1850291735; }) },
        { GroupCreatedDeclaration.Command, GroupCreated, With(GroupCreated, "GroupId", "@TGS#OTHER") },
        { GroupDismissedDeclaration.Command, GroupDestroyed, With(GroupDestroyed, "GroupId", "@TGS#OTHER") },
        { GroupProfileChangedDeclaration.Command, GroupInfoChanged, With(GroupInfoChanged, "Name", "Weekend hikers 2026") },
        { GroupMembersJoinedDeclaration.Command, NewMemberJoin, With(NewMemberJoin, "NewMemberList", JsonNode.Parse("""[ { "Member_Account": "u_50505" } ]""")) },
        { GroupMembersJoinedDeclaration.Command, NewMemberJoin, With(NewMemberJoin, "EventTime", 1736951999999) },
        { GroupMembersLeftDeclaration.Command, MemberExit, With(MemberExit, "ExitMemberList", JsonNode.Parse("""[ { "Member_Account": "u_20017" } ]""")) },
        { GroupMessageDeclaration.Command, GroupMessage, With(GroupMessage, "MsgSeq", 43) },
        { GroupMessageDeclaration.Command, GroupMessage, With(GroupMessage, "GroupId", "@TGS#OTHER") },
    };

    [Theory]
    [MemberData(nameof(DifferentEvents))]
    public void Gives_a_different_event_a_different_id(string command, string body, string otherBody)
    {
        var one = Event(_parser.Parse(command, Bytes(body), ReceivedAt));
        var other = Event(_parser.Parse(command, Bytes(otherBody), ReceivedAt));

        Assert.NotEqual(one.Meta.Id, other.Meta.Id);
    }

    [Fact]
    public void Gives_the_creation_and_the_dismissal_of_one_group_different_ids()
    {
        var created = Accept<ImGroupCreated>(Without(GroupCreated, "EventTime"));
        var dismissed = Accept<ImGroupDismissed>(Without(GroupDestroyed, "EventTime"));

        Assert.NotEqual(created.Meta.Id, dismissed.Meta.Id);
    }

    [Fact]
    public void Ignores_an_undelivered_c2c_message_by_default()
    {
        var body = Edit(C2CMessage, json =>
        {
            json["SendMsgResult"] = 20006;
            json["UnreadMsgNum"] = -1;
        });

        var result = _parser.Parse(C2CMessageDeclaration.Command, Bytes(body), ReceivedAt);

        var ignored = Assert.IsType<CallbackParseResult.Ignored>(result);
        Assert.Equal(EventTypes.ImC2CMessageSent, ignored.EventType);
        Assert.Equal("undelivered", ignored.Reason);
    }

    [Fact]
    public void Relays_an_undelivered_c2c_message_when_configured_to()
    {
        var parser = new ImCallbackParser(SdkAppId, relayUndeliveredC2CMessages: true);
        var body = With(C2CMessage, "SendMsgResult", 20006);

        var result = parser.Parse(C2CMessageDeclaration.Command, Bytes(body), ReceivedAt);

        var evt = Assert.IsType<ImC2CMessageSent>(Assert.IsType<CallbackParseResult.Accepted>(result).Event);
        Assert.Equal(20006, evt.Data.SendMsgResult);
    }

    public static TheoryData<string, string, string> MissingFields => new()
    {
        { C2CMessageDeclaration.Command, Without(C2CMessage, "From_Account"), "From_Account" },
        { C2CMessageDeclaration.Command, With(C2CMessage, "From_Account", ""), "From_Account" },
        { C2CMessageDeclaration.Command, Without(C2CMessage, "To_Account"), "To_Account" },
        { C2CMessageDeclaration.Command, Without(C2CMessage, "MsgBody"), "MsgBody" },
        { C2CMessageDeclaration.Command, With(C2CMessage, "MsgBody", JsonNode.Parse("""[ { "MsgType": "TIMTextElem", "MsgContent": { "Text": "hi" } }, { "MsgContent": { "Text": "x" } } ]""")), "MsgType at index 1" },
        { C2CMessageDeclaration.Command, With(C2CMessage, "MsgBody", JsonNode.Parse("""[ { "MsgType": "TIMTextElem" } ]""")), "MsgContent" },
        { C2CMessageDeclaration.Command, With(C2CMessage, "MsgBody", JsonNode.Parse("""[ { "MsgType": "TIMTextElem", "MsgContent": "hi" } ]""")), "MsgContent" },
        { GroupCreatedDeclaration.Command, Without(GroupCreated, "GroupId"), "GroupId" },
        { GroupCreatedDeclaration.Command, With(GroupCreated, "MemberList", JsonNode.Parse("""[ { "Member_Account": "u_1" }, {} ]""")), "Member_Account at index 1" },
        { GroupDismissedDeclaration.Command, Without(GroupDestroyed, "GroupId"), "GroupId" },
        { GroupProfileChangedDeclaration.Command, Without(GroupInfoChanged, "GroupId"), "GroupId" },
        { GroupMembersJoinedDeclaration.Command, Without(NewMemberJoin, "GroupId"), "GroupId" },
        { GroupMembersJoinedDeclaration.Command, Without(NewMemberJoin, "NewMemberList"), "NewMemberList" },
        { GroupMembersJoinedDeclaration.Command, With(NewMemberJoin, "NewMemberList", new JsonArray()), "NewMemberList" },
        { GroupMembersLeftDeclaration.Command, Without(MemberExit, "ExitMemberList"), "ExitMemberList" },
        { GroupMessageDeclaration.Command, Without(GroupMessage, "GroupId"), "GroupId" },
        { GroupMessageDeclaration.Command, Without(GroupMessage, "From_Account"), "From_Account" },
        { GroupMessageDeclaration.Command, Without(GroupMessage, "MsgSeq"), "MsgSeq" },
        { GroupMessageDeclaration.Command, Without(GroupMessage, "MsgBody"), "MsgBody" },
    };

    [Theory]
    [MemberData(nameof(MissingFields))]
    public void Names_the_missing_field_of_an_incomplete_body(string command, string body, string field)
    {
        var result = _parser.Parse(command, Bytes(body), ReceivedAt);

        var invalid = Assert.IsType<CallbackParseResult.Invalid>(result);
        Assert.StartsWith(command, invalid.Problem, StringComparison.Ordinal);
        Assert.Contains(field, invalid.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("{\"From_Account\": ")]
    [InlineData("[1, 2]")]
    [InlineData("null")]
    [InlineData("")]
    public void Refuses_a_body_that_is_not_a_json_object(string body)
    {
        var result = _parser.Parse(C2CMessageDeclaration.Command, Bytes(body), ReceivedAt);

        var invalid = Assert.IsType<CallbackParseResult.Invalid>(result);
        Assert.StartsWith(C2CMessageDeclaration.Command, invalid.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_field_of_the_wrong_json_type()
    {
        var body = With(C2CMessage, "MsgRandom", "not a number");

        Assert.IsType<CallbackParseResult.Invalid>(_parser.Parse(C2CMessageDeclaration.Command, Bytes(body), ReceivedAt));
    }

    [Fact]
    public void Reports_an_unknown_command_without_reading_the_body()
    {
        var result = _parser.Parse("State.StateChange", Bytes("not json"), ReceivedAt);

        Assert.Equal(new CallbackParseResult.UnknownCommand("State.StateChange"), result);
        Assert.False(ImCallbackParser.IsKnown("State.StateChange"));
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(CallbackSamples))]
    public void Knows_each_declared_command(string command, string body)
    {
        Assert.True(ImCallbackParser.IsKnown(command));
        Assert.Equal(command, CommandOf(body));
    }

    [Fact]
    public void Ignores_fields_it_does_not_know()
    {
        var body = With(GroupCreated, "SomeFutureField", JsonNode.Parse("""{ "nested": [1, 2] }"""));

        Assert.Equal(GroupId, Accept<ImGroupCreated>(body).Data.GroupId);
    }

    [Fact]
    public void Passes_unknown_element_types_through_verbatim()
    {
        const string relay = """
            { "Title": "Chat history", "MsgNum": 2, "CompatibleText": "[Chat history]",
              "AbstractList": ["u_1: hi", "u_2: hello"], "Nested": { "Deep": [ { "X": null, "Y": true } ] } }
            """;
        var body = With(C2CMessage, "MsgBody", JsonNode.Parse($$"""
            [ { "MsgType": "TIMRelayElem", "MsgContent": {{relay}} },
              { "MsgType": "TIMTextElem", "MsgContent": { "Text": "see above" } } ]
            """));

        var element = Accept<ImC2CMessageSent>(body).Data.Body[0];

        Assert.Equal("TIMRelayElem", element.MsgType);
        using var expected = JsonDocument.Parse(relay);
        Assert.True(JsonElement.DeepEquals(expected.RootElement, element.MsgContent), element.MsgContent.GetRawText());
    }

    private T Accept<T>(string body) where T : ISyncEvent
    {
        var result = _parser.Parse(CommandOf(body), Bytes(body), ReceivedAt);
        return Assert.IsType<T>(Event(result));
    }

    private static ISyncEvent Event(CallbackParseResult result)
        => Assert.IsType<CallbackParseResult.Accepted>(result).Event;

    private static void AssertMeta(EventMeta meta, string type, string subject, DateTimeOffset time)
    {
        Assert.Equal(type, meta.Type);
        Assert.Equal($"/im/{SdkAppId}", meta.Source);
        Assert.Equal(subject, meta.Subject);
        Assert.Equal(time, meta.Time);
        Assert.Equal(ReceivedAt, meta.ReceivedAt);
        Assert.StartsWith("im-", meta.Id, StringComparison.Ordinal);
        Assert.Null(meta.TraceParent);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(CallbackSamples))]
    public void Refuses_an_event_time_past_the_year_9999_on_every_command(string command, string body)
    {
        foreach (var eventTime in new[] { 253402300800000, long.MaxValue })
        {
            var result = _parser.Parse(command, Bytes(With(body, "EventTime", eventTime)), ReceivedAt);

            Assert.Contains("EventTime past the year 9999", Assert.IsType<CallbackParseResult.Invalid>(result).Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Refuses_a_message_time_past_the_year_9999_without_an_event_time()
    {
        var body = With(Without(C2CMessage, "EventTime"), "MsgTime", 253402300800);

        var result = _parser.Parse(C2CMessageDeclaration.Command, Bytes(body), ReceivedAt);

        Assert.Contains("MsgTime past the year 9999", Assert.IsType<CallbackParseResult.Invalid>(result).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_account_id_with_a_control_character_which_cannot_travel_as_a_cloud_event_subject()
    {
        var result = _parser.Parse(C2CMessageDeclaration.Command, Bytes(With(C2CMessage, "To_Account", "u_\u0000x")), ReceivedAt);

        Assert.Contains("control character", Assert.IsType<CallbackParseResult.Invalid>(result).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_an_empty_mention_entry_instead_of_failing()
    {
        var result = _parser.Parse(GroupMessageDeclaration.Command, Bytes(With(GroupMessage, "GroupAtInfo", JsonNode.Parse("[null]"))), ReceivedAt);

        Assert.Contains("GroupAtInfo entry at index 0", Assert.IsType<CallbackParseResult.Invalid>(result).Problem, StringComparison.Ordinal);
    }
}
