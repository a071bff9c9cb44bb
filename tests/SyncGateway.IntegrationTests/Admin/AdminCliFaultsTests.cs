using System.Text.Json;
using static SyncGateway.IntegrationTests.Admin.AdminCliTests;

namespace SyncGateway.IntegrationTests.Admin;

/// <summary><c>SyncGateway admin faults …</c> against the faults API's contract, served on loopback by <see cref="FakeFaultsApi"/>.</summary>
public sealed class AdminCliFaultsTests
{
    private const string Token = "ops-token-0123456789abcdef";

    private static readonly DateTimeOffset At = new(2026, 12, 4, 2, 0, 0, TimeSpan.Zero);

    private static readonly FaultSummary Refused = new("im-1", "im-to-legacy", "im.c2c.message.sent", "c2c:alice:bob", "faulted", "legacy answered 400 [bad body]", 1, At, At.AddSeconds(1), 0, null);
    private static readonly FaultSummary Parked = new("im-2", "im-to-legacy", "im.group.message.sent", "grp:g1", "parked", "legacy answered 503", 7, At, At.AddMinutes(5), 3, At.AddMinutes(6));
    private static readonly FaultSummary ImDown = new("lg-1", "legacy-to-im", "legacy.c2c.message.sent", "c2c:carol:dave", "faulted", "IM 20003 account not found", 2, At, At.AddSeconds(2), 0, null);

    [Fact]
    public async Task Lists_faults_with_the_filters_as_the_query_and_shows_one_with_its_event()
    {
        await using var api = await FakeFaultsApi.StartAsync(Token, Refused, Parked, ImDown);

        var all = await RunAsync(api, "faults");
        var filtered = await RunAsync(api, "faults", "list", "--direction", "im-to-legacy", "--type", "im.group.message.sent", "--reason", "answered 503", "--state", "parked", "--limit", "5");
        var json = await RunAsync(api, "faults", "--state", "faulted", "--json");
        var show = await RunAsync(api, "faults", "show", "im-2");

        all.AssertSucceeded();
        Assert.Equal(["im-1", "im-2", "lg-1"], Rows(all.Output).Skip(1).Select(r => r[0]));
        Assert.Equal(["im-1", "im-to-legacy", "im.c2c.message.sent", "c2c:alice:bob", "faulted", "1", "2026-12-04 02:00:01.000Z", "0", "-", "legacy answered 400 [bad body]"], Rows(all.Output)[1]);
        filtered.AssertSucceeded();
        Assert.Equal([["im-2", "parked", "3", "2026-12-04 02:06:00.000Z"]], Rows(filtered.Output).Skip(1).Select(r => new[] { r[0], r[4], r[7], r[8] }));
        Assert.Equal(new SeenRequest("GET", "/admin/faults", "?direction=im-to-legacy&type=im.group.message.sent&reason=answered%20503&state=parked&limit=5", "Bearer " + Token, ""), api.Requests[1]);
        json.AssertSucceeded();
        Assert.Equal(["im-1", "lg-1"], JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Select(f => f.GetProperty("id").GetString()));
        Assert.Equal("?state=faulted", api.Requests[2].Query);
        show.AssertSucceeded();
        var fields = Fields(show.Output);
        Assert.Equal(("parked", "3", "2026-12-04 02:06:00.000Z"), (fields["state"], fields["waiting"], fields["nextTry"]));
        var cloudEvent = JsonDocument.Parse(show.Output[(show.Output.IndexOf("event:", StringComparison.Ordinal) + "event:".Length)..]).RootElement;
        Assert.Equal("hello im-2", cloudEvent.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal(("GET", "/admin/faults/im-2"), (api.Requests[3].Method, api.Requests[3].Path));
    }

    [Fact]
    public async Task Replays_and_discards_one_fault_with_the_operators_reason_as_the_body()
    {
        await using var api = await FakeFaultsApi.StartAsync(Token, Refused, Parked, ImDown);

        var replay = await RunAsync(api, "faults", "replay", "im-2", "--reason", "legacy is back");
        var discard = await RunAsync(api, "faults", "discard", "lg-1", "--reason", "test account, not worth it");
        var again = await RunAsync(api, "faults", "replay", "im-2", "--reason", "once more");

        replay.AssertSucceeded();
        Assert.Equal("replayed im-2 (im-to-legacy, grp:g1, parked)", replay.Output.Trim());
        Assert.Equal(("POST", "/admin/faults/im-2/replay", ""), (api.Requests[0].Method, api.Requests[0].Path, api.Requests[0].Query));
        Assert.Equal("legacy is back", JsonDocument.Parse(api.Requests[0].Body).RootElement.GetProperty("reason").GetString());
        discard.AssertSucceeded();
        Assert.Equal("discarded lg-1 (legacy-to-im, c2c:carol:dave, faulted)", discard.Output.Trim());
        Assert.Equal("/admin/faults/lg-1/discard", api.Requests[1].Path);
        Assert.Equal("test account, not worth it", JsonDocument.Parse(api.Requests[1].Body).RootElement.GetProperty("reason").GetString());
        Assert.Equal(["im-1"], api.Ids);
        Assert.Equal((1, "error: 404 No such fault: Replayed, discarded or never recorded."), (again.ExitCode, again.Error.Trim()));
        Assert.Empty(again.Output);
    }

    [Fact]
    public async Task Replays_every_match_and_a_dry_run_only_shows_them()
    {
        await using var api = await FakeFaultsApi.StartAsync(Token, Refused, Parked, ImDown);

        var dryRun = await RunAsync(api, "faults", "replay", "--all", "--direction", "im-to-legacy", "--match", "legacy answered", "--reason", "legacy deployed the fix", "--dry-run");
        var afterDryRun = api.Ids;
        var run = await RunAsync(api, "faults", "replay", "--all", "--direction", "im-to-legacy", "--match", "legacy answered", "--limit", "1", "--reason", "legacy deployed the fix");

        dryRun.AssertSucceeded();
        Assert.StartsWith("dry run: 2 fault(s) match, none replayed", dryRun.Output, StringComparison.Ordinal);
        Assert.Equal(["im-1", "im-2"], Rows(dryRun.Output).Skip(1).Select(r => r[0]));
        Assert.Equal(["im-1", "im-2", "lg-1"], afterDryRun);
        Assert.Equal(("/admin/faults/replay", "?direction=im-to-legacy&reason=legacy%20answered&dryRun=true"), (api.Requests[0].Path, api.Requests[0].Query));
        Assert.Equal("legacy deployed the fix", JsonDocument.Parse(api.Requests[0].Body).RootElement.GetProperty("reason").GetString());
        run.AssertSucceeded();
        Assert.StartsWith("1 fault(s) replayed", run.Output, StringComparison.Ordinal);
        Assert.Equal("?direction=im-to-legacy&reason=legacy%20answered&limit=1&dryRun=false", api.Requests[1].Query);
        Assert.Equal(["im-2", "lg-1"], api.Ids);
    }

    [Fact]
    public async Task Nothing_is_sent_without_a_reason_and_a_refused_token_is_one_line()
    {
        await using var api = await FakeFaultsApi.StartAsync(Token, Refused);

        var noReason = await RunAsync(api, "faults", "discard", "im-1");
        var blankReason = await RunAsync(api, "faults", "replay", "--all", "--reason", " ");
        var badDirection = await RunAsync(api, "faults", "--direction", "sideways");
        var refused = await CliRun.RunAsync(["admin", "faults", "--url", api.Url.ToString()], "ops-token-0123456789abcdeX");

        Assert.Equal((1, "error: --reason is required: say why, the gateway's audit line records it"), (noReason.ExitCode, noReason.Error.Trim()));
        Assert.Equal((1, "error: --reason is required: say why, the gateway's audit line records it"), (blankReason.ExitCode, blankReason.Error.Trim()));
        Assert.Equal((1, "error: Unknown direction \"sideways\": im-to-legacy or legacy-to-im"), (badDirection.ExitCode, badDirection.Error.Trim()));
        Assert.Equal((1, "error: 401 the gateway refused the token in SYNCGW_ADMIN_TOKEN: it is none of its Admin__Token or Admin__Tokens__<name>"), (refused.ExitCode, refused.Error.Trim()));
        Assert.Equal([("GET", "/admin/faults")], api.Requests.Select(r => (r.Method, r.Path)));
        Assert.Equal(["im-1"], api.Ids);
    }

    private static Task<CliRun> RunAsync(FakeFaultsApi api, params string[] args) => CliRun.RunAsync(["admin", .. args, "--url", api.Url.ToString()], Token);
}
