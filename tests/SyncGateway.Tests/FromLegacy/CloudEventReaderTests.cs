using System.Text;
using System.Text.Json.Nodes;
using SyncGateway.Contracts;
using SyncGateway.FromLegacy;

namespace SyncGateway.Tests.FromLegacy;

public sealed class CloudEventReaderTests
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private const string TraceState = "congo=t61rcWkgMzE";
    private static readonly DateTimeOffset ReceivedAt = new(2025, 1, 15, 6, 0, 5, TimeSpan.Zero);

    [Fact]
    public void Reads_a_delta_with_its_trace_context_and_syncorigin()
    {
        var delta = Dismissal("lg-1");
        delta["traceparent"] = TraceParent;
        delta["tracestate"] = TraceState;
        delta["syncorigin"] = "im-42";

        var (events, errors) = Read(delta);

        Assert.Empty(errors);
        var meta = Assert.IsType<LegacyGroupDismissed>(Assert.Single(events)).Meta;
        Assert.Equal(TraceParent, meta.TraceParent);
        Assert.Equal(TraceState, meta.TraceState);
        Assert.Equal("im-42", meta.SyncOrigin);
    }

    [Fact]
    public void Reads_the_envelope_attributes_and_computes_the_subject_from_the_data()
    {
        var delta = Dismissal("lg-1");
        delta["time"] = "2025-01-15T14:00:00.250+08:00";

        var meta = Assert.Single(Read(delta).Events).Meta;

        Assert.Equal("lg-1", meta.Id);
        Assert.Equal("/legacy/chat", meta.Source);
        Assert.Equal(EventTypes.LegacyGroupDismissed, meta.Type);
        Assert.Equal("group:g_1", meta.Subject);
        Assert.Equal(new DateTimeOffset(2025, 1, 15, 6, 0, 0, 250, TimeSpan.Zero), meta.Time);
        Assert.Equal(ReceivedAt, meta.ReceivedAt);
        Assert.Null(meta.TraceParent);
        Assert.Null(meta.SyncOrigin);
    }

    [Fact]
    public void Takes_the_time_of_receipt_when_a_delta_has_no_time()
    {
        Assert.Equal(ReceivedAt, Assert.Single(Read(Dismissal("lg-1")).Events).Meta.Time);
    }

    [Fact]
    public void Reads_a_batch_in_order()
    {
        var (events, errors) = ReadBatch(Dismissal("lg-1"), Dismissal("lg-2"), Dismissal("lg-3"));

        Assert.Empty(errors);
        Assert.Equal(["lg-1", "lg-2", "lg-3"], events.Select(e => e.Meta.Id));
    }

    [Theory]
    [InlineData("id")]
    [InlineData("source")]
    [InlineData("type")]
    [InlineData("specversion")]
    public void Refuses_a_delta_without_a_required_attribute_naming_it(string attribute)
    {
        var delta = Dismissal("lg-1");
        delta.Remove(attribute);

        var (events, errors) = Read(delta);

        Assert.Empty(events);
        Assert.Equal(attribute, Assert.Single(errors).Field);
    }

    [Theory]
    [InlineData("id", "")]
    [InlineData("source", "")]
    [InlineData("type", "")]
    [InlineData("specversion", "0.3")]
    public void Refuses_an_empty_or_unsupported_required_attribute_naming_it(string attribute, string value)
    {
        var delta = Dismissal("lg-1");
        delta[attribute] = value;

        var error = Assert.Single(Read(delta).Errors);

        Assert.Equal(attribute, error.Field);
    }

    [Fact]
    public void Names_each_missing_required_attribute_of_one_delta()
    {
        var delta = new JsonObject { ["data"] = new JsonObject { ["groupId"] = "g_1" } };

        var fields = Read(delta).Errors.Select(e => e.Field);

        Assert.Equal(["specversion", "id", "source", "type"], fields);
    }

    [Fact]
    public void Names_every_bad_delta_of_a_batch_by_index_and_reads_only_the_good_one()
    {
        var noId = Dismissal("lg-2");
        noId.Remove("id");
        var noSource = Dismissal("lg-3");
        noSource.Remove("source");
        var noData = Dismissal("lg-4");
        noData.Remove("data");

        var (events, errors) = ReadBatch(Dismissal("lg-1"), noId, noSource, noData);

        Assert.Equal("lg-1", Assert.Single(events).Meta.Id);
        Assert.Equal([(1, null, "id"), (2, "lg-3", "source"), (3, "lg-4", "data")], errors.Select(e => (e.Index, e.Id, e.Field)));
    }

    [Theory]
    [InlineData("time", "2025-01-15")]
    [InlineData("time", "2025-01-15T06:00:00")]
    [InlineData("time", "yesterday")]
    [InlineData("subject", "")]
    [InlineData("datacontenttype", "not a media type")]
    [InlineData("dataschema", "relative/schema")]
    public void Refuses_an_attribute_value_the_cloud_events_sdk_refuses_naming_the_attribute(string attribute, string value)
    {
        var delta = Dismissal("lg-1");
        delta[attribute] = value;

        var error = Assert.Single(Read(delta).Errors);

        Assert.Equal((0, "lg-1", attribute), (error.Index, error.Id, error.Field));
        Assert.Contains(attribute, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_a_required_attribute_of_the_wrong_json_type_naming_it()
    {
        var delta = Dismissal("lg-1");
        delta["type"] = 7;

        Assert.Equal("type", Assert.Single(Read(delta).Errors).Field);
    }

    [Fact]
    public void Refuses_an_extension_attribute_name_cloud_events_does_not_allow_naming_it()
    {
        var delta = Dismissal("lg-1");
        delta["legacyId"] = "L-1";

        Assert.Equal("legacyId", Assert.Single(Read(delta).Errors).Field);
    }

    [Theory]
    [InlineData("syncorigin", "false")]
    [InlineData("syncorigin", "42")]
    [InlineData("traceparent", "1")]
    [InlineData("tracestate", "true")]
    public void Refuses_a_contract_extension_attribute_that_is_not_a_json_string_naming_it(string attribute, string json)
    {
        var delta = Dismissal("lg-1");
        delta[attribute] = JsonNode.Parse(json);

        var (events, errors) = Read(delta);

        Assert.Empty(events);
        Assert.Equal(attribute, Assert.Single(errors).Field);
    }

    public static TheoryData<string, string> EnvelopesTheSdkRefuses => new()
    {
        { "meta", """{"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.group.dismissed","meta":{"a":1},"data":{"groupId":"g"}}""" },
        { "tags", """{"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.group.dismissed","tags":["a"],"data":{"groupId":"g"}}""" },
        { "seq", """{"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.group.dismissed","seq":1.5,"data":{"groupId":"g"}}""" },
        { "seq", """{"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.group.dismissed","seq":12345678901234,"data":{"groupId":"g"}}""" },
        { "data_base64", """{"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.group.dismissed","data":{"groupId":"g"},"data_base64":"AA=="}""" },
        { "data_base64", """{"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.group.dismissed","data_base64":"not base64!"}""" },
        { "$", """{"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.group.dismissed","datacontenttype":"text/plain","data":{"groupId":"g"}}""" },
        { "id", """{"specversion":"1.0","id":"lg-\u0001","source":"/legacy","type":"legacy.group.dismissed","data":{"groupId":"g"}}""" },
        { "source", """{"specversion":"1.0","id":"lg-1","source":"http://[::1","type":"legacy.group.dismissed","data":{"groupId":"g"}}""" },
        { "time", """{"specversion":"1.0","id":"lg-1","source":"/legacy","type":"legacy.group.dismissed","time":["2025-01-15T06:00:00Z"],"data":{"groupId":"g"}}""" },
    };

    [Theory]
    [MemberData(nameof(EnvelopesTheSdkRefuses))]
    public void Answers_any_envelope_the_cloud_events_sdk_refuses_with_an_error_naming_the_member(string field, string json)
    {
        var (events, errors) = ReadBatch(Dismissal("lg-0"), JsonNode.Parse(json)!.AsObject());

        Assert.Equal("lg-0", Assert.Single(events).Meta.Id);
        var error = Assert.Single(errors);
        Assert.Equal((1, field), (error.Index, error.Field));
        Assert.StartsWith("is not valid CloudEvents 1.0: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_data_that_is_not_a_json_object()
    {
        var delta = Dismissal("lg-1");
        delta["data"] = "g_1";

        Assert.Equal("data", Assert.Single(Read(delta).Errors).Field);
    }

    [Fact]
    public void Refuses_a_body_that_is_not_json_or_a_batch_that_is_not_an_array()
    {
        var notJson = CloudEventReader.Read(Encoding.UTF8.GetBytes("{\"specversion\":"), batch: false, ReceivedAt).Errors;
        var notArray = CloudEventReader.Read(Encoding.UTF8.GetBytes(Dismissal("lg-1").ToJsonString()), batch: true, ReceivedAt).Errors;

        Assert.Equal("$", Assert.Single(notJson).Field);
        Assert.Equal("$", Assert.Single(notArray).Field);
    }

    [Fact]
    public void Refuses_two_events_with_one_id_in_a_batch()
    {
        var (events, errors) = ReadBatch(Dismissal("lg-1"), Dismissal("lg-2"), Dismissal("lg-1"));

        Assert.Equal(2, events.Count);
        var error = Assert.Single(errors);
        Assert.Equal((2, "lg-1", "id"), (error.Index, error.Id, error.Field));
        Assert.Contains("event 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_the_event_and_field_of_a_lone_surrogate_in_a_batch()
    {
        var body = "[" + Dismissal("lg-1").ToJsonString() + ","
            + """{"specversion":"1.0","id":"lg-2","source":"/legacy/chat","type":"legacy.group.message.sent","data":{"groupId":"g_1","from":"u_1","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"\ud800"}}]}}"""
            + "]";

        var (events, errors) = CloudEventReader.Read(Encoding.UTF8.GetBytes(body), batch: true, ReceivedAt);

        Assert.Empty(events);
        var error = Assert.Single(errors);
        Assert.Equal((1, "data.body[0].msgContent.Text"), (error.Index, error.Field));
    }

    [Theory]
    [InlineData("id")]
    [InlineData("type")]
    [InlineData("source")]
    public void Refuses_a_lone_surrogate_in_an_envelope_attribute(string attribute)
    {
        var delta = Dismissal("lg-1");
        delta[attribute] = "PLACEHOLDER";
        var body = delta.ToJsonString().Replace("PLACEHOLDER", "x\\udc00", StringComparison.Ordinal);

        var error = Assert.Single(CloudEventReader.Read(Encoding.UTF8.GetBytes(body), batch: false, ReceivedAt).Errors);

        Assert.Equal(attribute, error.Field);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(253402300800)]
    public void Refuses_a_message_time_outside_unix_seconds_to_the_year_9999(long msgTime)
    {
        var delta = Dismissal("lg-1");
        delta["type"] = EventTypes.LegacyC2CMessageSent;
        delta["data"] = JsonNode.Parse($$$"""{"from":"u_1","to":"u_2","msgTime":{{{msgTime}}},"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"hi"}}]}""");

        Assert.Equal("data.msgTime", Assert.Single(Read(delta).Errors).Field);
    }

    private static JsonObject Dismissal(string id) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id,
        ["source"] = "/legacy/chat",
        ["type"] = EventTypes.LegacyGroupDismissed,
        ["data"] = new JsonObject { ["groupId"] = "g_1" },
    };

    private static (List<ISyncEvent> Events, List<IngressError> Errors) Read(JsonObject delta)
        => CloudEventReader.Read(Encoding.UTF8.GetBytes(delta.ToJsonString()), batch: false, ReceivedAt);

    private static (List<ISyncEvent> Events, List<IngressError> Errors) ReadBatch(params JsonObject[] deltas)
        => CloudEventReader.Read(Encoding.UTF8.GetBytes(new JsonArray([.. deltas]).ToJsonString()), batch: true, ReceivedAt);
}
