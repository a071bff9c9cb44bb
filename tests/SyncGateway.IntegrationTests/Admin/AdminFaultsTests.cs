using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using SyncGateway.Fakes;
using SyncGateway.IntegrationTests.Infrastructure;

namespace SyncGateway.IntegrationTests.Admin;

/// <summary>
/// What an operator does with events legacy refused, through the admin API of a real gateway process: list, look at,
/// replay (audited, in its conversation's order) and discard faulted and parked events, with the API and the
/// <c>SyncGateway admin</c> command.
/// </summary>
public sealed class AdminFaultsTests
{
    private const string OpsToken = "ops-token-0123456789abcdef";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_refused_event_is_faulted_its_conversation_goes_on_and_a_replay_with_a_reason_delivers_it_once_audited()
    {
        await using var run = await StartAsync();
        var refusing = 1;
        run.Gateway.Legacy.Responder = e => Volatile.Read(ref refusing) == 1 && Text(e) == "refused" ? 400 : null;

        await run.Gateway.Im.SimulateUserC2CMessageAsync("u_a", "u_b", "first");
        await run.Gateway.Im.SimulateUserC2CMessageAsync("u_a", "u_b", "refused");
        await run.Gateway.Im.SimulateUserC2CMessageAsync("u_a", "u_b", "third");

        await Eventually.AssertAsync(() => Task.FromResult(Texts(run.Gateway.Legacy, "c2c:u_a:u_b").SequenceEqual(["first", "third"])), Wait,
            "the conversation goes on past the refused event");
        var fault = Assert.Single((await run.GetAsync("/admin/faults")).EnumerateArray());
        var id = fault.GetProperty("id").GetString()!;
        Assert.Equal(("faulted", "im-to-legacy", "c2c:u_a:u_b"), (fault.GetProperty("state").GetString(), fault.GetProperty("direction").GetString(), fault.GetProperty("conversation").GetString()));
        Assert.Contains("400", fault.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var detail = await run.GetAsync($"/admin/faults/{id}");
        Assert.Contains("refused", detail.GetProperty("event").GetRawText(), StringComparison.Ordinal);
        var status = (await run.GetAsync("/admin/status")).GetProperty("directions")[0];
        Assert.Equal(("im-to-legacy", 1L), (status.GetProperty("direction").GetString(), status.GetProperty("faulted").GetInt64()));

        using (var withoutReason = await run.Admin.PostAsJsonAsync($"/admin/faults/{id}/replay", new { reason = " " }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, withoutReason.StatusCode);
            Assert.Equal("application/problem+json", withoutReason.Content.Headers.ContentType?.MediaType);
        }
        using (var unknown = await run.Admin.PostAsJsonAsync("/admin/faults/no-such-event/replay", new { reason = "looking" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        Volatile.Write(ref refusing, 0);
        var listed = await run.CliAsync("faults", "list");
        listed.AssertSucceeded();
        Assert.Contains(id, listed.Output, StringComparison.Ordinal);
        var replay = await run.CliAsync("faults", "replay", id, "--reason", "legacy fixed its parser (TICKET-42)");
        replay.AssertSucceeded();
        Assert.Contains($"replayed {id}", replay.Output, StringComparison.Ordinal);

        await Eventually.AssertAsync(() => Task.FromResult(Texts(run.Gateway.Legacy, "c2c:u_a:u_b").Contains("refused")), Wait, "the replayed event is delivered");
        // Its conversation went on when it faulted, so it arrives after "third", with its own time for legacy to place it by.
        Assert.Equal(["first", "third", "refused"], Texts(run.Gateway.Legacy, "c2c:u_a:u_b"));
        var delivered = run.Gateway.Legacy.Received.Single(e => Text(e) == "refused");
        var third = run.Gateway.Legacy.Received.Single(e => Text(e) == "third");
        Assert.True(delivered.Event.GetProperty("time").GetDateTimeOffset() <= third.Event.GetProperty("time").GetDateTimeOffset());
        Assert.Equal(id, delivered.Id);
        Assert.Empty((await run.GetAsync("/admin/faults")).EnumerateArray());
        var steps = (await run.GetAsync($"/admin/events/{id}")).GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()).ToList();
        Assert.Equal(["received", "faulted", "replayed", "relayed"], steps);
        Assert.Contains(run.Gateway.LogEvents(), e => e.GetRawText() is var line
            && line.Contains("Admin audit", StringComparison.Ordinal) && line.Contains("\"Caller\":\"ops\"", StringComparison.Ordinal)
            && line.Contains("TICKET-42", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Single(run.Gateway.Legacy.Received, e => Text(e) == "refused");
    }

    [Fact]
    public async Task Parked_and_faulted_events_are_listed_a_replay_goes_before_the_events_held_behind_and_a_discard_drops_one_for_good()
    {
        await using var run = await StartAsync();
        var broken = 1;
        run.Gateway.Legacy.Responder = e => Text(e) switch
        {
            "refused" or "dropped" when Volatile.Read(ref broken) == 1 => 400,
            "stuck" when Volatile.Read(ref broken) == 1 => 500,
            _ => null,
        };

        await run.Gateway.Im.SimulateUserC2CMessageAsync("u_c", "u_d", "dropped");
        await run.Gateway.Im.SimulateUserC2CMessageAsync("u_a", "u_b", "refused");
        await run.Gateway.Im.SimulateUserC2CMessageAsync("u_a", "u_b", "stuck");
        await run.Gateway.Im.SimulateUserC2CMessageAsync("u_a", "u_b", "behind");

        await Eventually.AssertAsync(async () => (await run.GetAsync("/admin/faults")).GetArrayLength() == 3, Wait, "two faulted events and a parked one are listed");
        var faults = new Dictionary<string, JsonElement>();
        foreach (var listed in (await run.GetAsync("/admin/faults")).EnumerateArray())
        {
            var stored = (await run.GetAsync($"/admin/faults/{listed.GetProperty("id").GetString()}")).GetProperty("event").GetRawText();
            faults[Known.Single(t => stored.Contains(t, StringComparison.Ordinal))] = listed;
        }
        Assert.Equal("parked", faults["stuck"].GetProperty("state").GetString());
        Assert.Equal(2, faults["stuck"].GetProperty("waiting").GetInt64());
        Assert.Contains("500", faults["stuck"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await run.GetAsync("/admin/faults?state=faulted")).GetArrayLength());
        var status = (await run.GetAsync("/admin/status")).GetProperty("directions")[0];
        Assert.Equal((2L, 2L, 1L), (status.GetProperty("faulted").GetInt64(), status.GetProperty("parked").GetInt64(), status.GetProperty("parkedConversations").GetInt64()));

        var dryRun = await run.PostAsync("/admin/faults/replay?state=faulted&dryRun=true", "checking what a replay would take");
        Assert.Equal((true, 2), (dryRun.GetProperty("dryRun").GetBoolean(), dryRun.GetProperty("count").GetInt32()));
        Assert.Equal(2, (await run.GetAsync("/admin/faults?state=faulted")).GetArrayLength());

        var dropped = faults["dropped"].GetProperty("id").GetString()!;
        var discard = await run.CliAsync("faults", "discard", dropped, "--reason", "a test message nobody needs", "--json");
        discard.AssertSucceeded();
        Assert.Equal("discarded", JsonDocument.Parse(discard.Output).RootElement.GetProperty("action").GetString());
        Assert.Contains("discarded", (await run.GetAsync($"/admin/events/{dropped}")).GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()));

        // Still broken: the replayed event joins its conversation's held events by its time, ahead of "behind".
        var replayed = await run.PostAsync("/admin/faults/replay?direction=im-to-legacy&state=faulted", "bulk replay after the fix");
        Assert.Equal(1, replayed.GetProperty("count").GetInt32());
        Volatile.Write(ref broken, 0);

        await Eventually.AssertAsync(() => Task.FromResult(Texts(run.Gateway.Legacy, "c2c:u_a:u_b").Count == 3), Wait, "the parked conversation drains with the replayed event");
        var order = Texts(run.Gateway.Legacy, "c2c:u_a:u_b");
        Assert.Equal(["behind", "refused", "stuck"], order.Order(StringComparer.Ordinal));
        Assert.Equal("behind", order[^1]);
        await Eventually.AssertAsync(async () => (await run.GetAsync("/admin/faults")).GetArrayLength() == 0, Wait, "nothing is left faulted or parked");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Empty(Texts(run.Gateway.Legacy, "c2c:u_c:u_d"));
        Assert.Equal(3, Texts(run.Gateway.Legacy, "c2c:u_a:u_b").Count);
    }

    private static async Task<Run> StartAsync()
    {
        var adminPort = LoopbackPorts.Free();
        var gateway = await RestartableGateway.CreateAsync(overrides: new Dictionary<string, string?>
        {
            ["Admin:Urls"] = $"http://127.0.0.1:{adminPort}",
            ["Admin:Tokens:ops"] = OpsToken,
            // One queue: the conversations share it, as they would share one of many in production.
            ["Sync:Shards"] = "1",
            ["Sync:ParkAfterSeconds"] = "2",
            ["Sync:ParkRetryMaxSeconds"] = "1",
        });
        gateway.Im.Options.CallbackUrl = new Uri(gateway.BaseAddress, "/im/callbacks");
        gateway.Im.SeedAccounts("u_a", "u_b", "u_c", "u_d");
        await gateway.StartReadyAsync();
        var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OpsToken);
        return new Run(gateway, admin);
    }

    private static List<string> Texts(FakeLegacyServer legacy, string conversation)
        => [.. legacy.Received.Where(e => e.Type == "im.c2c.message.sent" && e.Subject == conversation).Select(Text)];

    private static string Text(ReceivedCloudEvent e) => Text(e.Event);

    private static string Text(JsonElement cloudEvent)
        => cloudEvent.GetProperty("data").GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString()!;

    private static readonly string[] Known = ["dropped", "refused", "stuck", "behind"];

    private sealed record Run(RestartableGateway Gateway, HttpClient Admin) : IAsyncDisposable
    {
        /// <summary><c>SyncGateway admin …</c> against this gateway's admin listener, with the ops token.</summary>
        public Task<CliRun> CliAsync(params string[] args) => CliRun.RunAsync(["admin", .. args, "--url", Admin.BaseAddress!.ToString()], OpsToken);

        public async Task<JsonElement> GetAsync(string path)
        {
            using var answer = await Admin.GetAsync(new Uri(path, UriKind.Relative));
            answer.EnsureSuccessStatusCode();
            return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        public async Task<JsonElement> PostAsync(string path, string reason)
        {
            using var answer = await Admin.PostAsJsonAsync(new Uri(path, UriKind.Relative), new { reason });
            answer.EnsureSuccessStatusCode();
            return JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.Clone();
        }

        public async ValueTask DisposeAsync()
        {
            Admin.Dispose();
            await Gateway.DisposeAsync();
        }
    }
}
