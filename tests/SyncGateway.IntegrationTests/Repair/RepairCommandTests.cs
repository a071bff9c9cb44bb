using System.Globalization;
using System.Text.Json;
using SyncGateway.Fakes.Infrastructure;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Repair;

namespace SyncGateway.IntegrationTests.Repair;

/// <summary>
/// <c>SyncGateway repair</c> run in-process against a running gateway, real RabbitMQ and Redis, and a fake IM that
/// loses some 1:1 callbacks on purpose.
/// </summary>
public sealed class RepairCommandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_dry_run_lists_the_lost_messages_then_a_run_relays_each_once_and_a_rerun_nothing()
    {
        // The automatic repair stays out of the way; its tracking (the active conversations) is what the command reads.
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.None, new Dictionary<string, string?> { ["Repair:IntervalSeconds"] = "3600" });
        sync.Im.Options.LoseCallback = body => (string?)body["CallbackCommand"] == "C2C.CallbackAfterSendMsg"
            && ((string?)body["MsgBody"]?[0]?["MsgContent"]?["Text"])?.StartsWith("lost", StringComparison.Ordinal) == true;
        var from = DateTimeOffset.UtcNow.AddSeconds(-5);

        // Each conversation has a relayed message, so the gateway saw it active.
        await sync.Im.SimulateUserC2CMessageAsync("u_1", "u_2", "hello");
        await sync.Im.SimulateUserC2CMessageAsync("u_2", "u_1", "lost one");
        await sync.Im.SimulateUserC2CMessageAsync("u_1", "u_2", "after the first loss");
        await sync.Im.SimulateUserC2CMessageAsync("u_1", "u_2", "lost two");
        await sync.Im.SimulateUserC2CMessageAsync("u_3", "u_4", "hi");
        await sync.Im.SimulateUserC2CMessageAsync("u_4", "u_3", "lost three");
        var legacy = sync.Gateway.Legacy;
        await legacy.WaitForAsync(3, Wait);
        var lost = sync.Im.LostCallbacks.Select(c => (string)c.Body["MsgKey"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(3, lost.Count);
        string[] window = ["--from", from.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), "--to", DateTimeOffset.UtcNow.AddSeconds(5).ToString("O", CultureInfo.InvariantCulture)];

        var dryRun = await RunAsync(sync, ["repair", .. window, "--dry-run"]);

        Assert.True(dryRun.ExitCode == 0, dryRun.Error);
        Assert.Equal(lost.Select(key => $"missing msgKey {key}"), dryRun.Lines.Where(l => l.StartsWith("missing ", StringComparison.Ordinal)));
        Assert.Contains("3 missing (dry run: nothing relayed)", dryRun.Lines);
        Assert.Contains("outcomes: already-relayed 3, missing 3", dryRun.Lines);
        Assert.Contains(dryRun.Lines, l => l.StartsWith("IM calls: openim/admin_getroammsg ", StringComparison.Ordinal));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(3, legacy.Received.Count);

        var repair = await RunAsync(sync, ["repair", .. window]);

        Assert.True(repair.ExitCode == 0, repair.Error);
        Assert.Equal(lost.Select(key => $"repaired msgKey {key}"), repair.Lines.Where(l => l.StartsWith("repaired ", StringComparison.Ordinal)));
        Assert.Contains("3 repaired (relayed to legacy with syncrepaired: true)", repair.Lines);
        var received = await legacy.WaitForAsync(6, Wait);
        var repaired = received.Where(e => e.Event.TryGetProperty("syncrepaired", out var flag) && flag.ValueKind == JsonValueKind.True).ToList();
        Assert.Equal(lost, repaired.Select(e => e.Data.GetProperty("msgKey").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(received.Except(repaired), e => Assert.False(e.Event.TryGetProperty("syncrepaired", out _)));

        var again = await RunAsync(sync, ["repair", .. window]);

        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("0 repaired (relayed to legacy with syncrepaired: true)", again.Lines);
        Assert.Contains("outcomes: already-relayed 6", again.Lines);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(6, legacy.Received.Count);
        Assert.Equal(6, legacy.Received.Select(e => e.Id).Distinct().Count());
    }

    private static async Task<(int ExitCode, IReadOnlyList<string> Lines, string Error)> RunAsync(TwoWaySync sync, string[] args)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Im:SdkAppId"] = GatewayHost.SdkAppId.ToString(CultureInfo.InvariantCulture),
            ["Im:ApiBaseUrl"] = sync.Im.BaseUrl.GetLeftPart(UriPartial.Authority),
            ["Im:SecretKey"] = sync.Im.Options.SecretKey,
            ["Im:AdminIdentifier"] = sync.Im.Options.AdminIdentifier,
            ["RabbitMq:Uri"] = sync.Gateway.RabbitMqUri.ToString(),
            ["Redis:Configuration"] = LocalServices.Redis,
            ["Redis:KeyPrefix"] = sync.Gateway.KeyPrefix,
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await RepairCli.RunAsync(args, settings, output, error);
        return (exitCode, output.ToString().Split('\n', StringSplitOptions.TrimEntries), error.ToString());
    }
}
