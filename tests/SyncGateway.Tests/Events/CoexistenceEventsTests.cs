using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Tests.Support;
using static SyncGateway.Tests.FromIm.CallbackSamples;

namespace SyncGateway.Tests.Events;

/// <summary>Recall, edit, read, profile and friend events: how their callbacks and deltas read, and their echo parts.</summary>
public sealed class CoexistenceEventsTests
{
    private readonly ImCallbackParser _parser = new(SdkAppId, relayUndeliveredC2CMessages: false);

    [Fact]
    public void A_c2c_recall_names_its_message_by_MsgKey_in_the_conversation_of_the_message()
    {
        var evt = Assert.IsType<ImC2CMessageRecalled>(Single(C2CRecall));

        Assert.Equal("c2c:u_10086:u_20017", evt.Meta.Subject);
        Assert.Equal(new C2CMessageRecalledData("u_10086", "u_20017", new MessageTarget(MsgKey: "517364_1850291734_1736920800"), 2), evt.Data);
    }

    [Fact]
    public void A_group_recall_of_several_messages_is_one_event_per_message()
    {
        var events = Events(GroupRecall).Cast<ImGroupMessageRecalled>().ToList();

        Assert.Equal([42L, 43L], events.Select(e => e.Data.Target.MsgSeq!.Value));
        Assert.All(events, e => Assert.Equal("group:@TGS#2KDFJ3ASL", e.Meta.Subject));
        Assert.Equal(2, events.Select(e => e.Meta.Id).Distinct().Count());
        Assert.Equal("144115212345678902-1736953000-302115987", events[0].Data.MsgId);
        Assert.Equal("administrator", events[1].Data.Operator);
    }

    [Fact]
    public void A_group_recall_without_messages_is_refused()
    {
        var result = _parser.Parse(GroupMessageRecalledDeclaration.Command, Bytes(With(GroupRecall, "MsgSeqList", new JsonArray())), ReceivedAt);

        Assert.Contains("MsgSeqList", Assert.IsType<CallbackParseResult.Invalid>(result).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_edit_carries_the_new_body_and_an_edit_that_changes_nothing_is_ignored()
    {
        var c2c = Assert.IsType<ImC2CMessageEdited>(Single(C2CModify));
        var group = Assert.IsType<ImGroupMessageEdited>(Single(GroupModify));

        Assert.Equal("See you at 8?", c2c.Data.Body![0].MsgContent.GetProperty("Text").GetString());
        Assert.Equal("517364_1850291734_1736920800", c2c.Data.Target.MsgKey);
        Assert.Equal(new MessageTarget(GroupId: "@TGS#2KDFJ3ASL", MsgSeq: 42), group.Data.Target);
        var nothing = Edit(C2CModify, j => { j.Remove("MsgBody"); j.Remove("CloudCustomData"); });
        Assert.IsType<CallbackParseResult.Ignored>(_parser.Parse(C2CMessageEditedDeclaration.Command, Bytes(nothing), ReceivedAt));
    }

    [Fact]
    public void Two_edits_of_one_message_are_two_events()
    {
        var first = Single(C2CModify);
        var second = Single(Edit(C2CModify, j => { j["MsgBody"]![0]!["MsgContent"]!["Text"] = "See you at 9?"; j["EventTime"] = 1736921400000; }));

        Assert.NotEqual(first.Meta.Id, second.Meta.Id);
    }

    [Fact]
    public void A_read_report_is_a_read_up_to_mark_of_the_conversation()
    {
        var evt = Assert.IsType<ImC2CMessageRead>(Single(C2CRead));

        Assert.Equal("c2c:u_10086:u_20017", evt.Meta.Subject);
        Assert.Equal(new C2CMessageReadData("u_20017", "u_10086", 1736921000, 0), evt.Data);
        Assert.IsType<CallbackParseResult.Invalid>(_parser.Parse(C2CMessageReadDeclaration.Command, Bytes(Without(C2CRead, "LastReadTime")), ReceivedAt));
    }

    [Fact]
    public void A_profile_change_relays_the_standard_and_custom_fields_and_leaves_the_others()
    {
        var evt = Assert.IsType<ImProfileChanged>(Single(PortraitSet));

        Assert.Equal("user:u_10086", evt.Meta.Subject);
        Assert.Equal("Ana B.", evt.Data.Nick);
        Assert.Equal("https://cdn.example.com/a/10086.png", evt.Data.FaceUrl);
        Assert.Equal(19900101, evt.Data.Birthday);
        Assert.Equal(7, Assert.Single(evt.Data.Custom!, c => c.Key == "Tag_Profile_Custom_Level").Value.GetInt32());
        var locationOnly = With(PortraitSet, "ProfileItem", JsonNode.Parse("""[ { "Tag": "Tag_Profile_IM_Location", "Value": "CN" } ]"""));
        Assert.IsType<CallbackParseResult.Ignored>(_parser.Parse(ProfileChangedDeclaration.Command, Bytes(locationOnly), ReceivedAt));
    }

    [Fact]
    public void A_friend_change_is_one_event_per_pair_in_the_pairs_conversation()
    {
        var added = Events(FriendAdd).Cast<ImFriendAdded>().ToList();
        var removed = Assert.IsType<ImFriendRemoved>(Single(FriendDelete));

        Assert.Equal([new FriendAddedData("u_10086", "u_20017", "u_10086"), new FriendAddedData("u_20017", "u_10086", "u_10086")], added.Select(e => e.Data));
        Assert.All(added, e => Assert.Equal("c2c:u_10086:u_20017", e.Meta.Subject));
        Assert.NotEqual(added[0].Meta.Id, added[1].Meta.Id);
        Assert.Equal(new FriendRemovedData("u_10086", "u_20017"), removed.Data);
    }

    [Fact]
    public void A_friend_change_without_an_event_time_is_told_apart_by_its_arrival()
    {
        var body = Bytes(Without(FriendDelete, "EventTime"));

        var first = Assert.IsType<CallbackParseResult.Accepted>(_parser.Parse(FriendRemovedDeclaration.Command, body, ReceivedAt)).Event;
        var later = Assert.IsType<CallbackParseResult.Accepted>(_parser.Parse(FriendRemovedDeclaration.Command, body, ReceivedAt.AddMinutes(5))).Event;

        Assert.NotEqual(first.Meta.Id, later.Meta.Id);
    }

    [Theory]
    [InlineData("Modified_Account")]
    [InlineData("Member_Account")]
    public void A_member_change_takes_the_member_under_either_name_IMs_pages_give_it(string field)
    {
        var body = Edit(MemberFieldChanged, j => { j.Remove("Modified_Account"); j[field] = "u_20017"; });

        var evt = Assert.IsType<ImGroupMemberChanged>(Single(body));

        Assert.Equal(new GroupMemberChangedData("@TGS#2KDFJ3ASL", "u_20017", "Admin", "Trail lead", "Public", "u_10086"), evt.Data);
        Assert.Equal("group:@TGS#2KDFJ3ASL", evt.Meta.Subject);
    }

    [Fact]
    public void An_owner_change_names_both_owners()
    {
        var evt = Assert.IsType<ImGroupOwnerChanged>(Single(ChangeGroupOwner));

        Assert.Equal(new GroupOwnerChangedData("@TGS#2KDFJ3ASL", "u_20017", "u_10086", "Public", "u_10086"), evt.Data);
    }

    [Fact]
    public void An_im_echo_is_keyed_by_the_ids_IM_gives_and_a_legacy_echo_by_the_legacy_id_when_known()
    {
        var recall = new C2CMessageRecalledData("u_1", "u_2", new MessageTarget("L-1", "k_1"));
        var declaration = Declarations.Of<C2CMessageRecalledData>();

        Assert.Equal(["c2c:recall:k_1"], declaration.ImEchoParts(recall));
        Assert.Equal(["c2c:recall:L-1"], declaration.LegacyEchoParts(recall));
        Assert.Equal(["c2c:recall:k_1"], declaration.LegacyEchoParts(recall with { Target = new MessageTarget(MsgKey: "k_1") }));
    }

    [Fact]
    public void Each_changed_profile_field_is_an_echo_part_of_its_own()
    {
        var change = new ProfileChangedData("u_1", Nick: "Ana", Birthday: 19900101,
            Custom: new Dictionary<string, JsonElement> { ["Tag_Profile_Custom_Level"] = JsonSerializer.SerializeToElement(7) });
        var declaration = Declarations.Of<ProfileChangedData>();

        var parts = declaration.ImEchoParts(change);

        Assert.Equal(3, parts.Distinct().Count());
        Assert.Equal(parts.Skip(1), declaration.ImEchoParts(change with { Nick = "Bea" }).Skip(1));
        Assert.NotEqual(parts[0], declaration.ImEchoParts(change with { Nick = "Bea" })[0]);
    }

    [Theory]
    [InlineData(EventTypes.LegacyC2CMessageRecalled, """{"from":"u_1","to":"u_2","target":{}}""", "data.target")]
    [InlineData(EventTypes.LegacyC2CMessageRecalled, """{"from":"u_1","to":"u_2","target":{"msgSeq":3}}""", "data.target")]
    [InlineData(EventTypes.LegacyGroupMessageRecalled, """{"groupId":"g_1","target":{"msgKey":"k"}}""", "data.target")]
    [InlineData(EventTypes.LegacyC2CMessageEdited, """{"from":"u_1","to":"u_2","target":{"legacyMessageId":"L-1"}}""", "data")]
    [InlineData(EventTypes.LegacyGroupMessageEdited, """{"groupId":"g_1","target":{"msgSeq":3},"body":[]}""", "data.body")]
    [InlineData(EventTypes.LegacyC2CMessageRead, """{"reader":"u_1","peer":"u_2"}""", "data.readUpTo")]
    [InlineData(EventTypes.LegacyProfileChanged, """{"userId":"u_1"}""", "data")]
    [InlineData(EventTypes.LegacyProfileChanged, """{"userId":"u_1","gender":"male"}""", "data.gender")]
    [InlineData(EventTypes.LegacyProfileChanged, """{"userId":"u_1","custom":{"Level":7}}""", "data.custom.Level")]
    [InlineData(EventTypes.LegacyProfileChanged, """{"userId":"u_1","custom":{"Tag_Profile_Custom_Level":-1}}""", "data.custom.Tag_Profile_Custom_Level")]
    [InlineData(EventTypes.LegacyFriendAdded, """{"from":"u_1","to":"u_1"}""", "data.to")]
    [InlineData(EventTypes.LegacyFriendRemoved, """{"from":"u_1"}""", "data.to")]
    [InlineData(EventTypes.LegacyGroupMemberChanged, """{"groupId":"g_1","member":"u_1","role":"Owner"}""", "data.role")]
    [InlineData(EventTypes.LegacyGroupMemberChanged, """{"groupId":"g_1","member":"u_1"}""", "data")]
    [InlineData(EventTypes.LegacyGroupOwnerChanged, """{"groupId":"g_1"}""", "data.newOwner")]
    public void A_delta_that_lacks_what_its_type_needs_is_refused_naming_the_field(string type, string data, string field)
    {
        var (events, errors) = Delta(type, data);

        Assert.Empty(events);
        Assert.Contains(errors, e => e.Field == field);
    }

    [Theory]
    [InlineData(EventTypes.LegacyC2CMessageRecalled, """{"from":"u_2","to":"u_1","target":{"legacyMessageId":"L-1"}}""", "c2c:u_1:u_2")]
    [InlineData(EventTypes.LegacyGroupMessageRecalled, """{"groupId":"g_1","target":{"msgSeq":3}}""", "group:g_1")]
    [InlineData(EventTypes.LegacyC2CMessageEdited, """{"from":"u_1","to":"u_2","target":{"msgKey":"k"},"cloudCustomData":"x"}""", "c2c:u_1:u_2")]
    [InlineData(EventTypes.LegacyC2CMessageRead, """{"reader":"u_2","peer":"u_1","readUpTo":1736921000}""", "c2c:u_1:u_2")]
    [InlineData(EventTypes.LegacyProfileChanged, """{"userId":"u_1","nick":"Ana","custom":{"Tag_Profile_Custom_Level":7}}""", "user:u_1")]
    [InlineData(EventTypes.LegacyFriendAdded, """{"from":"u_2","to":"u_1"}""", "c2c:u_1:u_2")]
    public void A_valid_delta_travels_on_the_conversation_it_refers_to(string type, string data, string subject)
    {
        var (events, errors) = Delta(type, data);

        Assert.Empty(errors);
        Assert.Equal(subject, Assert.Single(events).Meta.Subject);
    }

    private ISyncEvent Single(string body) => Assert.Single(Events(body));

    private IReadOnlyList<ISyncEvent> Events(string body)
        => Assert.IsType<CallbackParseResult.Accepted>(_parser.Parse(CommandOf(body), Bytes(body), ReceivedAt)).Events;

    private static (List<ISyncEvent> Events, List<IngressError> Errors) Delta(string type, string data)
        => CloudEventReader.Read(Encoding.UTF8.GetBytes($$"""{"specversion":"1.0","id":"lg-1","source":"/legacy/chat","type":"{{type}}","data":{{data}}}"""),
            batch: false, ReceivedAt);
}
