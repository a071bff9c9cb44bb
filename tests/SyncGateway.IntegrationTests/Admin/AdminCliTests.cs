using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SyncGateway.Admin.Cli;
using SyncGateway.Fakes;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.Admin;

/// <summary><c>SyncGateway admin</c> run in-process against a real gateway process's admin listener.</summary>
public sealed class AdminCliTests
{
    private const string Token = "ops-token-0123456789abcdef";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Status_pause_and_resume_show_and_change_what_the_gateway_holds()
    {
        await using var admin = await AdminGateway.StartAsync();

        var before = await admin.RunAsync("status");
        var paused = await admin.RunAsync("pause", "legacy-to-im");
        var pausedStatus = await admin.PausedAsync();
        var whilePaused = await admin.RunAsync("status");
        var json = await admin.RunAsync("status", "--json");
        var resumed = await admin.RunAsync("resume", "legacy-to-im");
        var resumedStatus = await admin.PausedAsync();

        before.AssertSucceeded();
        Assert.Equal(["direction", "paused", "queue depth", "consumers", "oldest event", "spool", "faulted", "error queue", "parked"], Rows(before.Output)[0]);
        Assert.Equal([["im-to-legacy", "no"], ["legacy-to-im", "no"]], Rows(before.Output).Skip(1).Select(r => r[..2]));
        Assert.All(Rows(before.Output).Skip(1), r => Assert.Equal(("0", "0"), (r[2], r[8])));
        paused.AssertSucceeded();
        Assert.Equal("legacy-to-im: paused on every replica", paused.Output.Trim());
        Assert.Equal([false, true], pausedStatus);
        Assert.Equal([["im-to-legacy", "no"], ["legacy-to-im", "yes"]], Rows(whilePaused.Output).Skip(1).Select(r => r[..2]));
        json.AssertSucceeded();
        var directions = JsonDocument.Parse(json.Output).RootElement.GetProperty("directions");
        Assert.True(directions[1].GetProperty("paused").GetBoolean());
        Assert.Contains("\n  \"directions\": [", json.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        resumed.AssertSucceeded();
        Assert.Equal("legacy-to-im: running on every replica", resumed.Output.Trim());
        Assert.Equal([false, false], resumedStatus);
        Assert.Contains(admin.Gateway.LogEvents(), e => e.GetRawText().Contains("Paused legacy-to-im on every replica, by default", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Events_are_found_by_id_and_by_each_message_id_with_their_steps_in_order()
    {
        await using var admin = await AdminGateway.StartAsync();
        var id = "lg-cli-" + Guid.NewGuid().ToString("N");
        using var http = new HttpClient();
        using var delivered = await new LegacyDeltaSender(http, new Uri(admin.Gateway.BaseAddress, "/legacy/events"), GatewayHost.IngressSecret).SendAsync(
            LegacyDeltaSender.Delta("legacy.c2c.message.sent", id, JsonNode.Parse("""{"from":"u_cli_1","to":"u_cli_2","body":[{"msgType":"TIMTextElem","msgContent":{"Text":"from the cli test"}}]}""")!));
        Assert.True(delivered.IsSuccessStatusCode);
        await Eventually.AssertAsync(async () => (await admin.RunAsync("events", id)).Output.Contains("│ relayed", StringComparison.Ordinal), Wait, "the ledger has the relayed step");
        var msgKey = Assert.Single(admin.Gateway.Im.GetC2CMessages("u_cli_1", "u_cli_2")).MsgKey;

        var byId = await admin.RunAsync("events", id);
        var byLegacyId = await admin.RunAsync("events", "--legacy-id", id);
        var byMsgKey = await admin.RunAsync("events", "--msg-key", msgKey, "--json");
        var unknown = await admin.RunAsync("events", "no-such-event");

        byId.AssertSucceeded();
        var fields = Fields(byId.Output);
        Assert.Equal(id, fields["event"]);
        Assert.Equal("legacy-to-im", fields["direction"]);
        Assert.Equal("legacy.c2c.message.sent", fields["type"]);
        Assert.Equal("c2c:u_cli_1:u_cli_2", fields["subject"]);
        Assert.Matches("^[0-9a-f]{32}$", fields["trace id"]);
        var steps = Rows(byId.Output);
        Assert.Equal(["at", "step", "detail"], steps[0]);
        // A broker redelivery adds a received and a duplicate line: what the ledger holds is shown, in order.
        Assert.Equal("received", steps[1][1]);
        Assert.Equal("IM MsgKey " + msgKey, steps.Single(s => s[1] == "relayed")[2]);
        Assert.All(steps.Skip(1), s => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$", s[0]));
        Assert.Equal(steps.Skip(1).Select(s => s[0]).Order(StringComparer.Ordinal), steps.Skip(1).Select(s => s[0]));
        byLegacyId.AssertSucceeded();
        Assert.Equal((id, "legacy-to-im"), (Fields(byLegacyId.Output)["event"], Fields(byLegacyId.Output)["direction"]));
        byMsgKey.AssertSucceeded();
        Assert.Contains(JsonDocument.Parse(byMsgKey.Output).RootElement.EnumerateArray(), e => e.GetProperty("id").GetString() == id);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error: 404 No such event in the delivery ledger: Never seen, or older than Ledger:TtlDays.", unknown.Error.Trim());
        Assert.Empty(unknown.Output);
    }

    [Fact]
    public async Task A_refused_token_an_unreachable_listener_and_the_public_port_are_one_line_each()
    {
        await using var admin = await AdminGateway.StartAsync();
        var closedPort = LoopbackPorts.Free();

        var refused = await admin.RunAsync(["status"], token: "ops-token-0123456789abcdeX");
        var unreachable = await admin.RunAsync(["status", "--url", $"http://127.0.0.1:{closedPort}"]);
        var publicPort = await admin.RunAsync(["status", "--url", admin.Gateway.BaseAddress.ToString()]);

        Assert.Equal((1, "error: 401 the gateway refused the token in SYNCGW_ADMIN_TOKEN: it is none of its Admin__Token or Admin__Tokens__<name>"), (refused.ExitCode, refused.Error.Trim()));
        Assert.DoesNotContain("ops-token", refused.Error + refused.Output, StringComparison.Ordinal);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Equal(
            $"error: the admin listener at http://127.0.0.1:{closedPort}/ is not reachable (Connection refused (127.0.0.1:{closedPort})): is Admin__Token (or Admin__Tokens__<name>) set on the gateway, and is its Admin__Urls this URL (--url)?",
            unreachable.Error.Trim());
        Assert.Equal(1, publicPort.ExitCode);
        Assert.Equal("error: 404 Not Found: is --url the admin listener (the gateway's Admin__Urls), not its public port?", publicPort.Error.Trim());
        Assert.All([refused, unreachable, publicPort], run => Assert.Empty(run.Output));
    }

    /// <summary>The cells of each table row, the header first.</summary>
    internal static List<string[]> Rows(string text)
        => [.. text.Split(Environment.NewLine).Where(l => l.StartsWith('│')).Select(l => l.Split('│')[1..^1].Select(c => c.Trim()).ToArray())];

    /// <summary>The label and value of each two-column line outside tables.</summary>
    internal static Dictionary<string, string> Fields(string text)
        => text.Split(Environment.NewLine)
            .Select(l => Regex.Split(l.Trim(), @"\s{2,}"))
            .Where(parts => parts.Length == 2 && !parts[0].StartsWith('│'))
            .ToDictionary(parts => parts[0], parts => parts[1]);

    /// <summary>A gateway process with its admin listener on a port of its own and one token, named default.</summary>
    private sealed class AdminGateway : IAsyncDisposable
    {
        private AdminGateway(RestartableGateway gateway, Uri url)
        {
            Gateway = gateway;
            Url = url;
        }

        public RestartableGateway Gateway { get; }

        public Uri Url { get; }

        public static async Task<AdminGateway> StartAsync()
        {
            var port = LoopbackPorts.Free();
            var gateway = await RestartableGateway.CreateAsync(overrides: new Dictionary<string, string?>
            {
                ["Admin:Urls"] = $"http://127.0.0.1:{port}",
                ["Admin:Token"] = Token,
            });
            await gateway.StartReadyAsync();
            return new AdminGateway(gateway, new Uri($"http://127.0.0.1:{port}"));
        }

        public Task<CliRun> RunAsync(params string[] args) => RunAsync(args, Token);

        /// <summary>The command with <c>--url</c> this gateway's admin listener unless <paramref name="args"/> name one.</summary>
        public Task<CliRun> RunAsync(string[] args, string token)
            => CliRun.RunAsync(["admin", .. args, .. args.Contains("--url") ? Array.Empty<string>() : ["--url", Url.ToString()]], token);

        /// <summary>Each direction's <c>paused</c>, read from the API itself.</summary>
        public async Task<bool[]> PausedAsync()
        {
            using var http = new HttpClient { BaseAddress = Url };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            var status = JsonDocument.Parse(await http.GetStringAsync(new Uri("/admin/status", UriKind.Relative))).RootElement;
            return [.. status.GetProperty("directions").EnumerateArray().Select(d => d.GetProperty("paused").GetBoolean())];
        }

        public ValueTask DisposeAsync() => Gateway.DisposeAsync();
    }
}

/// <summary>One in-process run of <c>SyncGateway admin …</c>: its exit code, stdout and stderr.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    /// <summary>Runs <paramref name="args"/> with <c>SYNCGW_ADMIN_TOKEN</c> set to <paramref name="token"/> and no other environment.</summary>
    public static async Task<CliRun> RunAsync(string[] args, string? token)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await AdminCli.RunAsync(args, output, error, name => name == AdminCli.TokenVariable ? token : null);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    public void AssertSucceeded() => Assert.True(ExitCode == 0, $"exit code {ExitCode}: {Error}");
}
