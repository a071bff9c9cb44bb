using SyncGateway.Admin.Cli;

namespace SyncGateway.Tests.Admin.Cli;

public sealed class AdminCliTests
{
    private const string Token = "ops-token-0123456789abcdef";

    [Fact]
    public void Status_goes_to_the_default_admin_url_as_tables()
    {
        var invocation = Valid("admin", "status");

        Assert.Equal(new Uri("http://127.0.0.1:5081"), invocation.Url);
        Assert.False(invocation.Json);
        Assert.Equal(new AdminRequest(HttpMethod.Get, "admin/status", null, AdminView.Status), invocation.Request);
    }

    [Fact]
    public void Url_and_json_go_before_or_after_the_command()
    {
        var before = Valid("admin", "--url", "http://localhost:8081", "--json", "status");
        var after = Valid("admin", "faults", "show", "f-1", "--json", "--url", "http://localhost:8081");

        Assert.Equal((new Uri("http://localhost:8081"), true), (before.Url, before.Json));
        Assert.Equal((new Uri("http://localhost:8081"), true), (after.Url, after.Json));
    }

    [Theory]
    [InlineData("events im-9b73", "admin/events/im-9b73", "Event")]
    [InlineData("events a/b?c", "admin/events/a%2Fb%3Fc", "Event")]
    [InlineData("events --msg-key 517364_1850291734_1736920800", "admin/events?msgKey=517364_1850291734_1736920800", "Events")]
    [InlineData("events --group @TGS#2KDF --seq 42", "admin/events?group=%40TGS%232KDF&seq=42", "Events")]
    [InlineData("events --legacy-id lg-1", "admin/events?legacyId=lg-1", "Events")]
    public void Events_by_id_or_by_a_message_id(string args, string path, string view)
        => Assert.Equal(new AdminRequest(HttpMethod.Get, path, null, Enum.Parse<AdminView>(view)), Valid(["admin", .. args.Split(' ')]).Request);

    [Theory]
    [InlineData("pause im-to-legacy", "admin/directions/im-to-legacy/pause")]
    [InlineData("resume legacy-to-im", "admin/directions/legacy-to-im/resume")]
    public void Pause_and_resume_post_to_the_direction(string args, string path)
        => Assert.Equal(new AdminRequest(HttpMethod.Post, path, null, AdminView.Direction), Valid(["admin", .. args.Split(' ')]).Request);

    [Fact]
    public void Faults_alone_and_faults_list_list_with_the_filters_given()
    {
        var plain = Valid("admin", "faults").Request;
        var filtered = Valid("admin", "faults", "list", "--direction", "im-to-legacy", "--type", "im.c2c.message.sent", "--reason", "legacy answered 400", "--state", "parked", "--limit", "5").Request;
        var byMatch = Valid("admin", "faults", "--match", "timeout", "--state", "faulted").Request;

        Assert.Equal(new AdminRequest(HttpMethod.Get, "admin/faults", null, AdminView.Faults), plain);
        Assert.Equal("admin/faults?direction=im-to-legacy&type=im.c2c.message.sent&reason=legacy%20answered%20400&state=parked&limit=5", filtered.Path);
        Assert.Equal("admin/faults?reason=timeout&state=faulted", byMatch.Path);
    }

    [Fact]
    public void Show_replay_and_discard_name_one_fault_and_carry_the_reason()
    {
        Assert.Equal(new AdminRequest(HttpMethod.Get, "admin/faults/f-1", null, AdminView.Fault), Valid("admin", "faults", "show", "f-1").Request);
        Assert.Equal(new AdminRequest(HttpMethod.Post, "admin/faults/f-1/replay", "legacy fixed the 400", AdminView.FaultAction),
            Valid("admin", "faults", "replay", "f-1", "--reason", " legacy fixed the 400 ").Request);
        Assert.Equal(new AdminRequest(HttpMethod.Post, "admin/faults/f-2/discard", "test message", AdminView.FaultAction),
            Valid("admin", "faults", "discard", "f-2", "--reason", "test message").Request);
    }

    [Fact]
    public void Replay_all_sends_the_filters_with_match_as_the_faults_reason_and_the_audit_reason_as_the_body()
    {
        var dryRun = Valid("admin", "faults", "replay", "--all", "--direction", "legacy-to-im", "--match", "IM 20003", "--state", "faulted", "--limit", "100", "--reason", "IM is back", "--dry-run").Request;
        var run = Valid("admin", "faults", "replay", "--all", "--type", "legacy.c2c.message.sent", "--reason", "IM is back").Request;

        Assert.Equal(new AdminRequest(HttpMethod.Post, "admin/faults/replay?direction=legacy-to-im&reason=IM%2020003&state=faulted&limit=100&dryRun=true", "IM is back", AdminView.FaultReplay), dryRun);
        Assert.Equal("admin/faults/replay?type=legacy.c2c.message.sent&dryRun=false", run.Path);
    }

    [Theory]
    [InlineData("faults replay f-1", "--reason is required: say why, the gateway's audit line records it")]
    [InlineData("faults replay f-1 --reason", "Required argument missing for option: '--reason'.")]
    [InlineData("faults discard f-1 --reason \t", "--reason is required: say why, the gateway's audit line records it")]
    [InlineData("faults replay --all --dry-run", "--reason is required: say why, the gateway's audit line records it")]
    [InlineData("faults replay --reason x", "Name one fault by its id, or replay every match with --all")]
    [InlineData("faults replay f-1 --all --reason x", "Name one fault by its id, or replay every match with --all")]
    [InlineData("faults replay f-1 --dry-run --reason x", "--dry-run goes with --all, not with one fault's id")]
    [InlineData("faults replay f-1 --state parked --reason x", "--state goes with --all, not with one fault's id")]
    [InlineData("pause sideways", "Unknown direction \"sideways\": im-to-legacy or legacy-to-im")]
    [InlineData("resume IM-TO-LEGACY", "Unknown direction \"IM-TO-LEGACY\": im-to-legacy or legacy-to-im")]
    [InlineData("faults --direction up", "Unknown direction \"up\": im-to-legacy or legacy-to-im")]
    [InlineData("faults list --state broken", "Unknown state \"broken\": faulted or parked")]
    [InlineData("faults list --limit 0", "--limit \"0\" is not a positive whole number")]
    [InlineData("faults --state parked list", "--state goes after the command: admin faults list --state …")]
    [InlineData("events", "Name one event: its id, --msg-key, --group with --seq, or --legacy-id")]
    [InlineData("events e-1 --msg-key k", "Name one event: its id, --msg-key, --group with --seq, or --legacy-id")]
    [InlineData("events --group g", "--group and --seq go together: the group and the message's MsgSeq in it")]
    [InlineData("events --group g --seq -1", "--seq \"-1\" is not a MsgSeq (a whole number)")]
    [InlineData("status --url ftp://host:21", "--url \"ftp://host:21\" is not an http:// or https:// URL (e.g. http://127.0.0.1:5081/)")]
    public void Invalid_input_is_one_line_naming_the_problem(string args, string error)
    {
        var (invocation, errors) = AdminCli.Parse(["admin", .. args.Split(' ')]);

        Assert.Null(invocation);
        Assert.Equal([error], errors);
    }

    [Fact]
    public async Task Without_the_token_it_exits_1_with_one_line_naming_the_variable()
    {
        var (exitCode, output, error) = await RunAsync(["admin", "status"], new Dictionary<string, string?> { ["SYNCGW_ADMIN_TOKEN"] = "  " });

        Assert.Equal(1, exitCode);
        Assert.Equal("error: SYNCGW_ADMIN_TOKEN is not set: export it with one of the gateway's admin tokens (its Admin__Token or an Admin__Tokens__<name>)", error.TrimEnd());
        Assert.Empty(output);
    }

    [Fact]
    public async Task A_replay_without_a_reason_fails_before_the_token_is_looked_at()
    {
        var (exitCode, output, error) = await RunAsync(["admin", "faults", "replay", "f-1"], []);

        Assert.Equal(1, exitCode);
        Assert.Equal("error: --reason is required: say why, the gateway's audit line records it", error.TrimEnd());
        Assert.Empty(output);
    }

    [Fact]
    public async Task Help_lists_the_commands_and_exits_0_without_a_token()
    {
        var (exitCode, output, _) = await RunAsync(["admin", "--help"], []);
        var (faultsExit, faultsHelp, _) = await RunAsync(["admin", "faults", "replay", "--help"], []);

        Assert.Equal(0, exitCode);
        Assert.All(["status", "events", "pause", "resume", "faults", "--url", "--json", "SYNCGW_ADMIN_TOKEN"], word => Assert.Contains(word, output, StringComparison.Ordinal));
        Assert.Equal(0, faultsExit);
        Assert.All(["--all", "--match", "--reason", "--dry-run"], word => Assert.Contains(word, faultsHelp, StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_command_exits_1()
    {
        var (exitCode, _, error) = await RunAsync(["admin"], new Dictionary<string, string?> { ["SYNCGW_ADMIN_TOKEN"] = Token });

        Assert.Equal(1, exitCode);
        Assert.StartsWith("error: ", error, StringComparison.Ordinal);
    }

    private static AdminInvocation Valid(params string[] args)
    {
        var (invocation, errors) = AdminCli.Parse(args);
        Assert.Empty(errors);
        return Assert.IsType<AdminInvocation>(invocation);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, Dictionary<string, string?> environment)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await AdminCli.RunAsync(args, output, error, name => environment.GetValueOrDefault(name));
        return (exitCode, output.ToString(), error.ToString());
    }
}
