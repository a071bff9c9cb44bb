using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;
using SyncGateway.Contracts;
using SyncGateway.Fakes.Infrastructure;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.IntegrationTests.HighAvailability;

/// <summary>
/// <c>Redis:WaitReplicas</c>: a parked or faulted event is the only copy once its RabbitMQ message is acknowledged, so
/// the store waits (Redis <c>WAIT</c>) until a replica has it; Redis replicates asynchronously otherwise.
/// </summary>
public sealed class ReplicationWaitTests
{
    private static readonly RelayDirection Direction = RelayDirection.LegacyToIm;

    [Fact]
    public async Task Without_the_replicas_it_asks_for_a_parking_write_fails_naming_the_setting_so_the_message_is_not_acknowledged()
    {
        await TestServices.EnsureStartedAsync();
        using var redis = await ConnectionMultiplexer.ConnectAsync(LocalServices.Redis);
        var prefix = $"syncgw-test:{Guid.NewGuid():N}:";
        try
        {
            var parking = new ConversationParking(new RedisKeyValueStore(redis, prefix, waitReplicas: 1, waitTimeout: 50), TimeProvider.System);

            var failure = await Assert.ThrowsAsync<RedisException>(() => parking.ParkAsync(Direction, Message("c2c:u_1:u_2", 1), 1, DateTimeOffset.UtcNow, "IM answered 500", TimeSpan.Zero));

            Assert.Contains("only 0 of Redis:WaitReplicas=1 replicas", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            await LocalServices.DeleteRedisKeysAsync(prefix);
        }
    }

    [ClusterFact]
    [Trait("Category", "Cluster")]
    public async Task On_Redis_Cluster_every_parked_event_survives_its_master_killed_the_moment_parking_returned()
    {
        var masters = LocalRedisCluster.Configuration.Split(',').Select(e => int.Parse(e[(e.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture)).ToArray();
        await LocalRedisCluster.RestoreAsync(masters);
        var prefix = $"syncgw-test:{Guid.NewGuid():N}:";
        var conversations = Enumerable.Range(1, 24).Select(i => $"c2c:u_{i}:u_{i}b").ToList();
        using (var redis = await ConnectionMultiplexer.ConnectAsync(LocalRedisCluster.Configuration))
        {
            var parking = new ConversationParking(new RedisKeyValueStore(redis, prefix, waitReplicas: 1, waitTimeout: 2000), TimeProvider.System);
            var owners = await LocalRedisCluster.OwnersAsync([prefix + RedisKeys.ParkedDue(Direction)]);
            foreach (var (conversation, i) in conversations.Select((c, i) => (c, i)))
            {
                await parking.ParkAsync(Direction, Message(conversation, i), 1, DateTimeOffset.UtcNow, "IM answered 500", TimeSpan.Zero);
            }
            // No pause: what the master acknowledged and had not yet replicated would be lost now.
            var killed = owners.Values.Single();
            var stopped = await LocalRedisCluster.KillAsync(killed);
            await LocalRedisCluster.WaitForFailoverAsync(killed);
            try
            {
                // A new connection, which learns the promoted replica from the cluster, reads what is left.
                using var after = await ConnectionMultiplexer.ConnectAsync(LocalRedisCluster.Configuration);
                var parked = await new ConversationParking(new RedisKeyValueStore(after, prefix), TimeProvider.System).ListAsync(Direction);
                Assert.Equal(conversations.Order(StringComparer.Ordinal), parked.Select(p => p.Conversation).Order(StringComparer.Ordinal));
                Assert.All(parked, p => Assert.Equal(1L, p.Events));
            }
            finally
            {
                await stopped.StartAsync();
            }
        }
        await LocalRedisCluster.RestoreAsync(masters);
        await LocalServices.DeleteRedisKeysAsync(prefix, LocalRedisCluster.Configuration);
    }

    private static LegacyC2CMessageSent Message(string conversation, int n)
        => new(new EventMeta($"lg-wait-{n}", "/legacy/chat", EventTypes.LegacyC2CMessageSent, conversation, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow),
            new C2CMessageData("u_1", "u_2", [new MessageElement("TIMTextElem", JsonSerializer.SerializeToElement(new { Text = $"parked {n}" }))]));
}
