using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using SyncGateway.Admin.Cli;

namespace SyncGateway.Tests.Admin.Cli;

public sealed class AdminConsoleTests
{
    private const string Fault = """
        {"id":"im-1","direction":"im-to-legacy","type":"im.c2c.message.sent","conversation":"c2c:alice:bob","state":"parked",
         "reason":"legacy answered 400 [bad body]","attempts":3,"firstFailure":"2026-12-04T02:00:00+00:00",
         "lastFailure":"2026-12-04T03:00:01.5+01:00","waiting":4,"nextTry":"2026-12-04T02:05:00+00:00"}
        """;

    [Fact]
    public void Status_is_one_row_per_direction_with_missing_fields_as_a_dash_and_unknown_ones_ignored()
    {
        var text = Show(AdminView.Status, """
            {"directions":[
              {"direction":"im-to-legacy","paused":false,"queueDepth":12,"consumers":2,"oldestEventAgeSeconds":3.21,"spoolDepth":0,"faulted":1,"errorQueueDepth":1,"parked":2,"later":"x"},
              {"direction":"legacy-to-im","paused":true,"queueDepth":null,"consumers":null,"oldestEventAgeSeconds":null,"spoolDepth":5,"parked":0}
            ]}
            """);

        var rows = Rows(text);
        Assert.Equal(["direction", "paused", "queue depth", "consumers", "oldest event", "spool", "faulted", "error queue", "parked"], rows[0]);
        Assert.Equal(["im-to-legacy", "no", "12", "2", "3.2 s", "0", "1", "1", "2"], rows[1]);
        Assert.Equal(["legacy-to-im", "yes", "-", "-", "-", "5", "-", "-", "0"], rows[2]);
        Assert.Equal(3, rows.Count);
    }

    [Fact]
    public void An_event_shows_its_direction_type_trace_and_steps_in_order_with_utc_times()
    {
        var text = Show(AdminView.Event, """
            {"id":"lg-1","direction":"legacy-to-im","type":"legacy.c2c.message.sent","subject":"c2c:u_5:u_6","traceId":"4bf92f3577b34da6a3ce929d0e0e4736",
             "steps":[{"at":"2026-12-04T02:00:00.123+00:00","step":"received","detail":null},
                      {"at":"2026-12-04T03:00:00.456+01:00","step":"retried","detail":"attempt 1: IM 20003"},
                      {"at":"2026-12-04T02:00:01+00:00","step":"relayed","detail":"IM MsgKey 1_2_3"}]}
            """);

        var fields = Fields(text);
        Assert.Equal("lg-1", fields["event"]);
        Assert.Equal("legacy-to-im", fields["direction"]);
        Assert.Equal("legacy.c2c.message.sent", fields["type"]);
        Assert.Equal("c2c:u_5:u_6", fields["subject"]);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", fields["trace id"]);
        Assert.Equal(
            [["at", "step", "detail"], ["2026-12-04 02:00:00.123Z", "received", "-"], ["2026-12-04 02:00:00.456Z", "retried", "attempt 1: IM 20003"], ["2026-12-04 02:00:01.000Z", "relayed", "IM MsgKey 1_2_3"]],
            Rows(text));
    }

    [Fact]
    public void Several_events_are_shown_one_after_the_other_and_none_says_so()
    {
        var two = Show(AdminView.Events, """[{"id":"a","steps":[]},{"id":"b","direction":"im-to-legacy","steps":[{"at":"2026-12-04T02:00:00Z","step":"received"}]}]""");
        var none = Show(AdminView.Events, "[]");

        Assert.Equal(["event a", "event b"], two.Split(Environment.NewLine).Where(l => l.StartsWith("event ", StringComparison.Ordinal)).Select(l => Regex.Replace(l.Trim(), @"\s+", " ")));
        Assert.Equal(["2026-12-04 02:00:00.000Z", "received", "-"], Rows(two)[^1]);
        Assert.Equal("No event in the delivery ledger carried that message.", none.Trim());
    }

    [Fact]
    public void Faults_are_a_table_and_their_reason_is_shown_as_written()
    {
        var text = Show(AdminView.Faults, $"[{Fault}]");
        var none = Show(AdminView.Faults, "[]");

        var rows = Rows(text);
        Assert.Equal(["id", "direction", "type", "conversation", "state", "attempts", "last failure", "waiting", "next try", "reason"], rows[0]);
        Assert.Equal(["im-1", "im-to-legacy", "im.c2c.message.sent", "c2c:alice:bob", "parked", "3", "2026-12-04 02:00:01.500Z", "4", "2026-12-04 02:05:00.000Z", "legacy answered 400 [bad body]"], rows[1]);
        Assert.Equal("No faults.", none.Trim());
    }

    [Fact]
    public void One_fault_shows_every_field_it_has_and_its_event_as_json()
    {
        var text = Show(AdminView.Fault, Fault.Replace("}", ""","event":{"specversion":"1.0","id":"im-1","data":{"text":"grüße"}}}""", StringComparison.Ordinal));

        var fields = Fields(text);
        Assert.Equal("parked", fields["state"]);
        Assert.Equal("2026-12-04 02:00:00.000Z", fields["firstFailure"]);
        Assert.Equal("2026-12-04 02:05:00.000Z", fields["nextTry"]);
        Assert.Equal("legacy answered 400 [bad body]", fields["reason"]);
        var json = text[(text.IndexOf("event:", StringComparison.Ordinal) + "event:".Length)..];
        Assert.Equal("grüße", JsonDocument.Parse(json).RootElement.GetProperty("data").GetProperty("text").GetString());
        Assert.Contains("grüße", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replay_or_discard_is_one_line()
    {
        var replayed = Show(AdminView.FaultAction, """{"id":"im-1","direction":"im-to-legacy","conversation":"c2c:alice:bob","action":"replayed","state":"parked"}""");
        var discarded = Show(AdminView.FaultAction, """{"id":"im-2","direction":"legacy-to-im","conversation":"grp:g1","action":"discarded","state":"faulted","extra":1}""");

        Assert.Equal("replayed im-1 (im-to-legacy, c2c:alice:bob, parked)", replayed.Trim());
        Assert.Equal("discarded im-2 (legacy-to-im, grp:g1, faulted)", discarded.Trim());
    }

    [Fact]
    public void A_bulk_replay_says_how_many_and_lists_them()
    {
        var dryRun = Show(AdminView.FaultReplay, $$"""{"dryRun":true,"count":1,"faults":[{{Fault}}]}""");
        var run = Show(AdminView.FaultReplay, """{"dryRun":false,"count":0,"faults":[]}""");

        Assert.StartsWith("dry run: 1 fault(s) match, none replayed", dryRun, StringComparison.Ordinal);
        Assert.Equal("im-1", Rows(dryRun)[1][0]);
        Assert.Equal("0 fault(s) replayed", run.Trim());
    }

    [Fact]
    public void A_pause_says_where_the_direction_now_stands()
    {
        Assert.Equal("legacy-to-im: paused on every replica", Show(AdminView.Direction, """{"direction":"legacy-to-im","paused":true}""").Trim());
        Assert.Equal("legacy-to-im: running on every replica", Show(AdminView.Direction, """{"direction":"legacy-to-im","paused":false}""").Trim());
    }

    [Fact]
    public void Json_prints_the_answer_as_it_came_indented()
    {
        const string Body = """{"directions":[{"direction":"im-to-legacy","paused":false,"unknown":{"a":[1,2]},"note":"ä+<b>"}]}""";
        using var output = new StringWriter();

        new AdminConsole(output, terminal: false).Show(AdminView.Status, json: true, new AdminAnswer(HttpStatusCode.OK, JsonDocument.Parse(Body).RootElement));

        var text = output.ToString();
        Assert.Contains(Environment.NewLine + "  \"directions\": [", text, StringComparison.Ordinal);
        Assert.Contains("\"note\": \"ä+<b>\"", text, StringComparison.Ordinal);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(Body).RootElement, JsonDocument.Parse(text).RootElement));
    }

    [Fact]
    public void An_answer_without_a_body_shows_its_status()
    {
        using var output = new StringWriter();

        new AdminConsole(output, terminal: false).Show(AdminView.FaultAction, json: false, new AdminAnswer(HttpStatusCode.Accepted, null));

        Assert.Equal("202 Accepted", output.ToString().Trim());
    }

    private static string Show(AdminView view, string body)
    {
        using var output = new StringWriter();
        new AdminConsole(output, terminal: false).Show(view, json: false, new AdminAnswer(HttpStatusCode.OK, JsonDocument.Parse(body).RootElement));
        return output.ToString();
    }

    /// <summary>The cells of each table row, the header first.</summary>
    private static List<string[]> Rows(string text)
        => [.. text.Split(Environment.NewLine).Where(l => l.StartsWith('│')).Select(l => l.Split('│')[1..^1].Select(c => c.Trim()).ToArray())];

    /// <summary>The label and value of each two-column line outside tables.</summary>
    private static Dictionary<string, string> Fields(string text)
        => text.Split(Environment.NewLine)
            .Select(l => Regex.Split(l.Trim(), @"\s{2,}"))
            .Where(parts => parts.Length == 2 && !parts[0].StartsWith('│'))
            .ToDictionary(parts => parts[0], parts => parts[1]);
}
