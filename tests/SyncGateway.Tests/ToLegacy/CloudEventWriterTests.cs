using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudNative.CloudEvents;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.ToLegacy;
using static SyncGateway.Tests.FromIm.CallbackSamples;

namespace SyncGateway.Tests.ToLegacy;

public sealed class CloudEventWriterTests
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private const string TraceState = "congo=t61rcWkgMzE";

    public static TheoryData<string, string, string, string> EveryImEvent => new()
    {
        { C2CMessage, EventTypes.ImC2CMessageSent, "c2c:u_10086:u_20017", "2025-01-15T06:00:00.123Z" },
        { GroupCreated, EventTypes.ImGroupCreated, "group:@TGS#2KDFJ3ASL", "2025-01-15T06:03:20.456Z" },
        { GroupDestroyed, EventTypes.ImGroupDismissed, "group:@TGS#2KDFJ3ASL", "2025-01-16T01:13:20.789Z" },
        { GroupInfoChanged, EventTypes.ImGroupProfileChanged, "group:@TGS#2KDFJ3ASL", "2025-01-15T14:06:40.001Z" },
        { NewMemberJoin, EventTypes.ImGroupMembersJoined, "group:@TGS#2KDFJ3ASL", "2025-01-15T14:23:20.002Z" },
        { MemberExit, EventTypes.ImGroupMembersLeft, "group:@TGS#2KDFJ3ASL", "2025-01-15T14:40:00.003Z" },
        { GroupMessage, EventTypes.ImGroupMessageSent, "group:@TGS#2KDFJ3ASL", "2025-01-15T14:56:40.321Z" },
    };

    [Theory]
    [MemberData(nameof(EveryImEvent))]
    public void Writes_the_cloud_events_envelope(string body, string type, string subject, string time)
    {
        var evt = Parse(body);

        var json = Write(evt, TraceParent, TraceState);

        Assert.Equal("1.0", (string?)json["specversion"]);
        Assert.Equal(evt.Meta.Id, (string?)json["id"]);
        Assert.Equal($"/im/{SdkAppId}", (string?)json["source"]);
        Assert.Equal(type, (string?)json["type"]);
        Assert.Equal(subject, (string?)json["subject"]);
        Assert.Equal(time, (string?)json["time"]);
        Assert.Equal(evt.Meta.Time, DateTimeOffset.Parse((string)json["time"]!, CultureInfo.InvariantCulture));
        Assert.Equal("application/json", (string?)json["datacontenttype"]);
        Assert.Equal(TraceParent, (string?)json["traceparent"]);
        Assert.Equal(TraceState, (string?)json["tracestate"]);
        Assert.Equal(JsonValueKind.Object, json["data"]!.GetValueKind());
    }

    [Theory]
    [MemberData(nameof(EveryImEvent))]
    public void Writes_an_event_the_cloud_events_sdk_decodes_with_its_trace_context_as_attributes(string body, string type, string subject, string time)
    {
        var evt = Parse(body);

        var decoded = Decode(evt, TraceParent, TraceState);

        Assert.Equal(evt.Meta.Id, decoded.Id);
        Assert.Equal($"/im/{SdkAppId}", decoded.Source?.OriginalString);
        Assert.Equal(type, decoded.Type);
        Assert.Equal(subject, decoded.Subject);
        Assert.Equal(DateTimeOffset.Parse(time, CultureInfo.InvariantCulture), decoded.Time);
        Assert.Equal("application/json", decoded.DataContentType);
        Assert.Equal(TraceParent, decoded[CloudEventFormat.TraceParent]);
        Assert.Equal(TraceState, decoded[CloudEventFormat.TraceState]);
        Assert.Equal(JsonValueKind.Object, Assert.IsType<JsonElement>(decoded.Data).ValueKind);
    }

    [Fact]
    public void Writes_no_trace_attributes_the_sdk_would_decode_when_there_is_no_trace_context()
    {
        var decoded = Decode(Parse(C2CMessage), null, null);

        Assert.Null(decoded[CloudEventFormat.TraceParent]);
        Assert.Null(decoded[CloudEventFormat.TraceState]);
        Assert.DoesNotContain(decoded.GetPopulatedAttributes(), a => a.Key.IsExtension);
    }

    [Theory]
    [MemberData(nameof(All), MemberType = typeof(FromIm.CallbackSamples))]
    public void Writes_data_in_camel_case_without_nulls(string command, string body)
    {
        var json = Write(Parse(body), null, null);

        var names = PropertyNamesOutsideImContent(json["data"]!);
        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(char.IsLower(name[0]), $"{command}: data member '{name}' is not camelCase"));
        Assert.DoesNotContain(Descendants(json["data"]!), node => node is null);
    }

    [Fact]
    public void Writes_a_c2c_message_with_element_contents_unchanged()
    {
        var data = Write(Parse(C2CMessage), null, null)["data"]!;

        Assert.Equal("u_10086", (string?)data["from"]);
        Assert.Equal("u_20017", (string?)data["to"]);
        Assert.Equal(517364, (long?)data["msgSeq"]);
        Assert.Equal(1850291734, (long?)data["msgRandom"]);
        Assert.Equal(1736920800, (long?)data["msgTime"]);
        Assert.Equal("517364_1850291734_1736920800", (string?)data["msgKey"]);
        Assert.Equal("{\"app\":\"mobile\"}", (string?)data["cloudCustomData"]);
        Assert.False((bool?)data["onlineOnly"]);
        Assert.Equal(0, (int?)data["sendMsgResult"]);
        Assert.Null(data["legacyMessageId"]);
        Assert.False(data.AsObject().ContainsKey("legacyMessageId"));
        Assert.Equal("TIMTextElem", (string?)data["body"]![0]!["msgType"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "Text": "See you at 7?" }"""), data["body"]![0]!["msgContent"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{ "Index": 12, "Data": "smile" }"""), data["body"]![1]!["msgContent"]));
    }

    [Fact]
    public void Writes_a_group_creation()
    {
        var data = Write(Parse(GroupCreated), null, null)["data"]!;

        Assert.Equal("@TGS#2KDFJ3ASL", (string?)data["groupId"]);
        Assert.Equal("Public", (string?)data["type"]);
        Assert.Equal("Weekend hikers", (string?)data["name"]);
        Assert.Equal("u_10086", (string?)data["owner"]);
        Assert.Equal("u_10086", (string?)data["operator"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["u_20017", "u_30555"]"""), data["members"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[ { "key": "legacy_room", "value": "room-88" } ]"""), data["customFields"]));
    }

    [Fact]
    public void Writes_a_group_dismissal()
    {
        var data = Write(Parse(GroupDestroyed), null, null)["data"]!;

        Assert.Equal("@TGS#2KDFJ3ASL", (string?)data["groupId"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["u_10086", "u_20017", "u_30555"]"""), data["members"]));
    }

    [Fact]
    public void Writes_only_the_changed_fields_of_a_profile_change()
    {
        var data = Write(Parse(GroupInfoChanged), null, null)["data"]!.AsObject();

        Assert.Equal("Weekend hikers 2025", (string?)data["name"]);
        Assert.Equal("Meet at the north gate at 08:00", (string?)data["notification"]);
        Assert.Equal(["groupId", "type", "operator", "name", "notification"], data.Select(p => p.Key));
    }

    [Fact]
    public void Writes_members_joining()
    {
        var data = Write(Parse(NewMemberJoin), null, null)["data"]!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["u_40404"]"""), data["members"]));
        Assert.Equal("Invited", (string?)data["joinType"]);
        Assert.Equal("u_10086", (string?)data["operator"]);
    }

    [Fact]
    public void Writes_members_leaving()
    {
        var data = Write(Parse(MemberExit), null, null)["data"]!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["u_30555"]"""), data["members"]));
        Assert.Equal("Quit", (string?)data["exitType"]);
    }

    [Fact]
    public void Writes_a_group_message_with_mentions_and_element_contents_unchanged()
    {
        var data = Write(Parse(GroupMessage), null, null)["data"]!;

        Assert.Equal("u_20017", (string?)data["from"]);
        Assert.Equal(42, (long?)data["msgSeq"]);
        Assert.Equal(302115987, (long?)data["random"]);
        Assert.Equal("", (string?)data["cloudCustomData"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[ { "atAll": true } ]"""), data["mentions"]));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse("""{ "Desc": "North gate", "Latitude": 22.5431, "Longitude": 114.0579 }"""),
            data["body"]![1]!["msgContent"]));
    }

    [Fact]
    public void Writes_unknown_element_contents_verbatim_including_their_nulls()
    {
        const string content = """{ "Title": "Chat history", "MsgNum": 2, "Nested": { "X": null, "Y": [true, 1.5] } }""";
        var body = With(C2CMessage, "MsgBody", JsonNode.Parse($$"""[ { "MsgType": "TIMRelayElem", "MsgContent": {{content}} } ]"""));

        var element = Write(Parse(body), null, null)["data"]!["body"]![0]!;

        Assert.Equal("TIMRelayElem", (string?)element["msgType"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(content), element["msgContent"]), element["msgContent"]!.ToJsonString());
    }

    [Fact]
    public void Leaves_out_trace_context_when_there_is_none()
    {
        var json = Write(Parse(C2CMessage), null, null).AsObject();

        Assert.False(json.ContainsKey("traceparent"));
        Assert.False(json.ContainsKey("tracestate"));
    }

    [Fact]
    public void Writes_traceparent_without_an_empty_tracestate()
    {
        var json = Write(Parse(C2CMessage), TraceParent, "").AsObject();

        Assert.Equal(TraceParent, (string?)json["traceparent"]);
        Assert.False(json.ContainsKey("tracestate"));
    }

    [Fact]
    public void Writes_the_time_in_utc_whatever_the_offset_of_the_event()
    {
        var meta = new EventMeta("im-1", "/im/1", EventTypes.ImGroupDismissed, "group:g",
            new DateTimeOffset(2025, 1, 15, 14, 6, 40, 7, TimeSpan.FromHours(8)), DateTimeOffset.UnixEpoch);

        var json = JsonNode.Parse(CloudEventWriter.Write(meta, new GroupDismissedData("g"), null, null))!;

        Assert.Equal("2025-01-15T06:06:40.007Z", (string?)json["time"]);
    }

    [Fact]
    public void Writes_the_time_to_the_millisecond_and_a_whole_second_without_a_fraction()
    {
        var subMillisecond = new DateTimeOffset(2025, 1, 15, 6, 6, 40, 7, TimeSpan.Zero).AddTicks(4_999);
        var wholeSecond = new DateTimeOffset(2025, 1, 15, 6, 6, 40, TimeSpan.Zero);

        Assert.Equal("2025-01-15T06:06:40.007Z", (string?)WriteAt(subMillisecond)["time"]);
        Assert.Equal("2025-01-15T06:06:40Z", (string?)WriteAt(wholeSecond)["time"]);

        static JsonNode WriteAt(DateTimeOffset time)
        {
            var meta = new EventMeta("im-1", "/im/1", EventTypes.ImGroupDismissed, "group:g", time, DateTimeOffset.UnixEpoch);
            return JsonNode.Parse(CloudEventWriter.Write(meta, new GroupDismissedData("g"), null, null))!;
        }
    }

    [Fact]
    public void Writes_the_attributes_in_the_order_of_the_contract_examples()
    {
        var json = Write(Parse(C2CMessage), TraceParent, TraceState).AsObject();

        Assert.Equal(["specversion", "id", "source", "type", "subject", "time", "datacontenttype", "traceparent", "tracestate", "data"],
            json.Select(p => p.Key));
    }

    private static ISyncEvent Parse(string body)
    {
        var parser = new ImCallbackParser(SdkAppId, relayUndeliveredC2CMessages: false);
        var result = parser.Parse(CommandOf(body), Bytes(body), ReceivedAt);
        return Assert.IsType<CallbackParseResult.Accepted>(result).Event;
    }

    private static JsonNode Write(ISyncEvent evt, string? traceParent, string? traceState) => JsonNode.Parse(WriteBytes(evt, traceParent, traceState))!;

    // The same generic call the relay makes, with each event's concrete data type.
    private static byte[] WriteBytes(ISyncEvent evt, string? traceParent, string? traceState)
    {
        var dataType = evt.GetType().GetInterfaces()
            .Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ISyncEvent<>)).GetGenericArguments()[0];
        var data = evt.GetType().GetProperty(nameof(ISyncEvent<object>.Data))!.GetValue(evt);
        return (byte[])typeof(CloudEventWriter).GetMethod(nameof(CloudEventWriter.Write))!.MakeGenericMethod(dataType)
            .Invoke(null, [evt.Meta, data, traceParent, traceState])!;
    }

    private static CloudEvent Decode(ISyncEvent evt, string? traceParent, string? traceState)
        => CloudEventFormat.Formatter.DecodeStructuredModeMessage(WriteBytes(evt, traceParent, traceState), null, CloudEventFormat.Extensions);

    private static List<string> PropertyNamesOutsideImContent(JsonNode node)
    {
        var names = new List<string>();
        Collect(node);
        return names;

        void Collect(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (name, value) in o)
                    {
                        names.Add(name);
                        // IM's own names: element contents and custom profile tags.
                        if (name is not ("msgContent" or "custom"))
                        {
                            Collect(value);
                        }
                    }
                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Collect(item);
                    }
                    break;
            }
        }
    }

    private static IEnumerable<JsonNode?> Descendants(JsonNode node) => node switch
    {
        JsonObject o => o.Where(p => p.Key != "msgContent").SelectMany(p => p.Value is null ? [null] : Descendants(p.Value).Prepend(p.Value)),
        JsonArray a => a.SelectMany(item => item is null ? [null] : Descendants(item).Prepend(item)),
        _ => [],
    };
}
