using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Events;

/// <summary>The echo parts every declared type gives, as the keys its origin tags are stored under.</summary>
public sealed class EchoPartsTests
{
    [Fact]
    public void Keys_an_im_message_echo_by_the_natural_keys_of_the_send()
    {
        Assert.Equal(["im:{c2c:u_10086:u_20017}:c2c:u_10086:u_20017:3057718812"], ImKeys(new C2CMessageData("u_10086", "u_20017", Text("hi"), MsgRandom: 3057718812)));
        Assert.Equal(["im:{group:@TGS#1}:grpmsg:@TGS#1:302115987"], ImKeys(new GroupMessageData("@TGS#1", "u_1", Text("hi"), Random: 302115987)));
    }

    [Fact]
    public void Keys_each_member_of_a_membership_change_separately()
    {
        var joined = ImKeys(new GroupMembersJoinedData("@TGS#1", ["u_1", "u_2"]));
        var left = ImKeys(new GroupMembersLeftData("@TGS#1", ["u_1", "u_2"]));

        Assert.Equal(["im:{group:@TGS#1}:grp:join:@TGS#1:u_1", "im:{group:@TGS#1}:grp:join:@TGS#1:u_2"], joined);
        Assert.Equal(["im:{group:@TGS#1}:grp:exit:@TGS#1:u_1", "im:{group:@TGS#1}:grp:exit:@TGS#1:u_2"], left);
    }

    [Fact]
    public void Keys_each_changed_profile_field_separately_and_by_its_value()
    {
        var change = new GroupProfileChangedData("@TGS#1", Name: "Hikers", Notification: "8:00", CustomFields: [new("room", "88")]);

        var keys = ImKeys(change);

        Assert.Equal(3, keys.Count);
        Assert.Equal(3, keys.Distinct().Count());
        Assert.All(keys, k => Assert.StartsWith("im:{group:@TGS#1}:grp:info:@TGS#1:", k, StringComparison.Ordinal));
        Assert.NotEqual(keys[0], ImKeys(change with { Name = "Hikers 2" })[0]);
    }

    [Fact]
    public void Gives_creation_and_dismissal_of_a_group_different_keys()
    {
        Assert.NotEqual(ImKeys(new GroupCreatedData("@TGS#1", "Public", "n")), ImKeys(new GroupDismissedData("@TGS#1")));
        Assert.NotEqual(LegacyKeys(new GroupCreatedData("@TGS#1", "Public", "n")), LegacyKeys(new GroupDismissedData("@TGS#1")));
    }

    [Fact]
    public void Keys_a_legacy_message_echo_by_its_content()
    {
        var sent = new C2CMessageData("u_1", "u_2", Text("See you at 7?"));

        var key = Assert.Single(LegacyKeys(sent));

        Assert.Equal(key, Assert.Single(LegacyKeys(sent with { MsgRandom = 1, LegacyMessageId = "lg-1" })));
        Assert.NotEqual(key, Assert.Single(LegacyKeys(sent with { Body = Text("See you at 8?") })));
        Assert.NotEqual(key, Assert.Single(LegacyKeys(sent with { From = "u_3" })));
    }

    [Fact]
    public void Keeps_the_data_itself_when_nothing_is_suppressed()
    {
        var joined = new GroupMembersJoinedData("@TGS#1", ["u_1", "u_2"]);

        Assert.Same(joined, Without(joined, [false, false]));
        Assert.Same(joined, Without(joined, []));
    }

    [Fact]
    public void Leaves_nothing_when_every_part_is_suppressed()
    {
        Assert.Null(Without(new GroupMembersJoinedData("@TGS#1", ["u_1", "u_2"]), [true, true]));
        Assert.Null(Without(new C2CMessageData("u_1", "u_2", Text("hi")), [true]));
    }

    [Fact]
    public void Removes_only_the_suppressed_members()
    {
        var joined = new GroupMembersJoinedData("@TGS#1", ["u_1", "u_2", "u_3"], "Public", "Invited", "administrator");
        var left = new GroupMembersLeftData("@TGS#1", ["u_1", "u_2", "u_3"], "Public", "Kicked", "administrator");

        var joinedRest = Without(joined, [false, true, false])!;
        var leftRest = Without(left, [true, false, true])!;

        Assert.Equal(["u_1", "u_3"], joinedRest.Members);
        Assert.Equal(("@TGS#1", "Public", "Invited", "administrator"), (joinedRest.GroupId, joinedRest.Type, joinedRest.JoinType, joinedRest.Operator));
        Assert.Equal(["u_2"], leftRest.Members);
        Assert.Equal(("@TGS#1", "Public", "Kicked", "administrator"), (leftRest.GroupId, leftRest.Type, leftRest.ExitType, leftRest.Operator));
    }

    [Fact]
    public void Removes_only_the_suppressed_profile_fields()
    {
        var change = new GroupProfileChangedData("@TGS#1", "Public", "u_1", Name: "Hikers", Introduction: "Weekends", Notification: "8:00",
            FaceUrl: "https://cdn.example.com/f.png", CustomFields: [new("room", "88"), new("tier", "gold")]);

        // Parts in order: name, introduction, notification, faceUrl, custom.room, custom.tier.
        var rest = Without(change, [false, true, false, true, true, false])!;

        Assert.Equal("Hikers", rest.Name);
        Assert.Null(rest.Introduction);
        Assert.Equal("8:00", rest.Notification);
        Assert.Null(rest.FaceUrl);
        Assert.Equal([new CustomField("tier", "gold")], rest.CustomFields!);
        Assert.Equal(("@TGS#1", "Public", "u_1"), (rest.GroupId, rest.Type, rest.Operator));
    }

    [Fact]
    public void Normalises_away_property_order_and_surrounding_whitespace()
    {
        var sent = Body("""{ "Desc": "Office", "Latitude": 31.2304, "Longitude": 121.4737 }""", """{ "Text": "hello" }""");
        var reserialised = Body("""{"Longitude":121.4737,"Desc":"  Office\n","Latitude":31.2304}""", """{"Text":" hello "}""");

        Assert.Equal(Fingerprints.Normalise(sent), Fingerprints.Normalise(reserialised));
    }

    [Fact]
    public void Normalises_nested_objects_too()
    {
        var a = Element("TIMCustomElem", """{ "Data": "x", "Ext": { "b": [ { "y": 1, "x": 2 } ], "a": true } }""");
        var b = Element("TIMCustomElem", """{ "Ext": { "a": true, "b": [ { "x": 2, "y": 1 } ] }, "Data": "x" }""");

        Assert.Equal(Fingerprints.Normalise([a]), Fingerprints.Normalise([b]));
    }

    [Fact]
    public void Normalising_keeps_what_makes_messages_different()
    {
        var hello = Text("hello");

        Assert.NotEqual(Fingerprints.Normalise(hello), Fingerprints.Normalise(Text("hello world")));
        Assert.NotEqual(Fingerprints.Normalise(hello), Fingerprints.Normalise(Text("Hello")));
        Assert.NotEqual(Fingerprints.Normalise(hello), Fingerprints.Normalise([Element("TIMCustomElem", """{ "Text": "hello" }""")]));
        Assert.NotEqual(
            Fingerprints.Normalise([.. Text("a"), .. Text("b")]),
            Fingerprints.Normalise([.. Text("b"), .. Text("a")]));
        Assert.NotEqual(Fingerprints.Normalise(Text("a b")), Fingerprints.Normalise(Text("a  b")));
    }

    private static IReadOnlyList<string> ImKeys<T>(T data) where T : class
        => [.. Declarations.Of<T>().ImEchoParts(data).Select(part => RedisKeys.ImEcho(Declarations.Of<T>().Conversation(data), part))];

    private static IReadOnlyList<string> LegacyKeys<T>(T data) where T : class
        => [.. Declarations.Of<T>().LegacyEchoParts(data).Select(part => RedisKeys.LegacyEcho(Declarations.Of<T>().Conversation(data), part))];

    private static T? Without<T>(T data, IReadOnlyList<bool> suppressed) where T : class
        => Declarations.Of<T>().Without(data, suppressed);

    private static List<MessageElement> Text(string text)
        => [Element("TIMTextElem", JsonSerializer.Serialize(new Dictionary<string, string> { ["Text"] = text }))];

    private static List<MessageElement> Body(string location, string text)
        => [Element("TIMLocationElem", location), Element("TIMTextElem", text)];

    private static MessageElement Element(string type, string content)
    {
        using var doc = JsonDocument.Parse(content);
        return new MessageElement(type, doc.RootElement.Clone());
    }
}
