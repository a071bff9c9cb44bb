using System.Text.Json;
using RabbitMQ.Client;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Infrastructure;
using SyncGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SyncGateway.IntegrationTests.HighAvailability;

/// <summary>
/// Moving a running gateway from classic to quorum relay queues in place, as docs/operations.md ("Quorum queues")
/// tells an operator: drain, stop, delete the empty queues, switch, start. A quorum queue works on one node too, so
/// the shared single-node broker serves.
/// </summary>
public sealed class QueueTypeMigrationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Drain_then_switch_loses_nothing_a_gateway_started_before_the_switch_stops_with_one_line_and_parked_events_cross_over()
    {
        await using var gateway = await RestartableGateway.CreateAsync(overrides: new Dictionary<string, string?>
        {
            ["RabbitMq:QueueType"] = "classic",
            ["Sync:Shards"] = "2",
            ["Sync:ParkAfterSeconds"] = "1",
            ["Sync:ParkRetryMaxSeconds"] = "1",
        });
        var vhost = gateway.VirtualHost!;
        gateway.Im.Options.CallbackUrl = new Uri(gateway.BaseAddress, "/im/callbacks");
        gateway.Im.SeedAccounts("u_a", "u_b", "u_c", "u_d");
        // Legacy refuses one conversation for now: its events park (in Redis, outside the queues being replaced).
        var refusing = 1;
        gateway.Legacy.Responder = e => Volatile.Read(ref refusing) == 1 && e.GetProperty("subject").GetString() == "c2c:u_c:u_d" ? 503 : null;
        await gateway.StartReadyAsync();

        foreach (var text in new[] { "a1", "a2", "a3" })
        {
            await gateway.Im.SimulateUserC2CMessageAsync("u_a", "u_b", text);
        }
        foreach (var text in new[] { "c1", "c2" })
        {
            await gateway.Im.SimulateUserC2CMessageAsync("u_c", "u_d", text);
        }
        await Eventually.AssertAsync(() => Task.FromResult(Texts(gateway.Legacy, "c2c:u_a:u_b").Count == 3), Wait, "the first conversation relayed");

        // Drain: every relay queue empty (the refused conversation has parked, not stayed queued), then stop.
        await Eventually.AssertAsync(async () => (await QueuesAsync(vhost)).Where(q => q.Name.StartsWith("relay.", StringComparison.Ordinal)).All(q => q.Messages == 0),
            Wait, "the relay queues drained");
        gateway.Current.Terminate();
        Assert.Equal(0, await gateway.Current.WaitForExitAsync(Wait));
        var classic = await QueuesAsync(vhost);
        Assert.All(classic.Where(q => q.Name.StartsWith("relay.", StringComparison.Ordinal)), q => Assert.Equal("classic", q.Type));

        // Switched without deleting the queues: the new process stops with one line naming the queue and the key.
        gateway.Set("RabbitMq:QueueType", "quorum");
        var refused = gateway.Start();
        Assert.Equal(1, await refused.WaitForExitAsync(Wait));
        var line = Assert.Single(refused.LogEvents(), e => e.GetProperty("@l").GetString() == "Fatal");
        output.WriteLine(line.GetProperty("@m").GetString());
        Assert.Contains("RabbitMq:QueueType=quorum", line.GetProperty("@m").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("relay.", line.GetProperty("Queue").GetString(), StringComparison.Ordinal);
        Assert.Equal(classic.Select(q => (q.Name, q.Type)), (await QueuesAsync(vhost)).Select(q => (q.Name, q.Type)));

        // The procedure: delete the relay and error queues, each only if empty (RabbitMQ refuses otherwise), start.
        var factory = new ConnectionFactory { Uri = LocalServices.RabbitMqIn(vhost) };
        await using (var connection = await factory.CreateConnectionAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            foreach (var queue in classic.Where(q => q.Name.StartsWith("relay.", StringComparison.Ordinal)))
            {
                await channel.QueueDeleteAsync(queue.Name, ifUnused: true, ifEmpty: true);
            }
        }
        await gateway.StartReadyAsync();
        var quorum = await QueuesAsync(vhost);
        Assert.All(quorum.Where(q => q.Name.StartsWith("relay.", StringComparison.Ordinal) && !q.Name.EndsWith("_skipped", StringComparison.Ordinal)),
            q => Assert.Equal("quorum", q.Type));

        // Legacy is back: the parked conversation drains before its newer event, and nothing is lost or repeated.
        Volatile.Write(ref refusing, 0);
        await gateway.Im.SimulateUserC2CMessageAsync("u_a", "u_b", "a4");
        await gateway.Im.SimulateUserC2CMessageAsync("u_c", "u_d", "c3");
        await Eventually.AssertAsync(() => Task.FromResult(Texts(gateway.Legacy, "c2c:u_c:u_d").Count == 3 && Texts(gateway.Legacy, "c2c:u_a:u_b").Count == 4),
            Wait, "every event delivered after the switch");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(["a1", "a2", "a3", "a4"], Texts(gateway.Legacy, "c2c:u_a:u_b"));
        Assert.Equal(["c1", "c2", "c3"], Texts(gateway.Legacy, "c2c:u_c:u_d"));
    }

    private sealed record Queue(string Name, string Type, long Messages);

    private static async Task<IReadOnlyList<Queue>> QueuesAsync(string vhost)
    {
        var json = await LocalServices.RabbitMqCtlAsync("list_queues", "-p", vhost, "name", "type", "messages", "--formatter", "json");
        return [.. JsonDocument.Parse(json).RootElement.EnumerateArray()
            .Select(q => new Queue(q.GetProperty("name").GetString()!, q.GetProperty("type").GetString()!, q.GetProperty("messages").GetInt64()))
            .OrderBy(q => q.Name, StringComparer.Ordinal)];
    }

    private static List<string> Texts(FakeLegacyServer legacy, string conversation)
        => [.. legacy.Received.Where(e => e.Type == "im.c2c.message.sent" && e.Subject == conversation).Select(e => e.MessageText)];
}
