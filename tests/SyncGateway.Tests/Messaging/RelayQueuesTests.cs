using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Messaging;

namespace SyncGateway.Tests.Messaging;

public sealed class RelayQueuesTests
{
    // Computed independently (first four bytes of the subject's SHA-256, big-endian, modulo the shard count): every
    // replica and every version must route a conversation to the same queue.
    [Theory]
    [InlineData("c2c:alice:bob", 32, 21)]
    [InlineData("c2c:alice:bob", 7, 3)]
    [InlineData("group:@TGS#1", 32, 14)]
    [InlineData("group:g_42", 256, 227)]
    [InlineData("group:g_42", 1, 0)]
    public void Routes_a_conversation_by_a_stable_hash_of_its_key(string conversation, int shards, int expected)
    {
        Assert.Equal(expected, RelayQueues.ShardOf(conversation, shards));
    }

    [Fact]
    public void Spreads_conversations_evenly_over_the_shards()
    {
        var counts = new int[32];
        for (var i = 0; i < 32_000; i++)
        {
            counts[RelayQueues.ShardOf(Conversations.C2C($"u_{i}", "u_peer"), counts.Length)]++;
        }

        Assert.All(counts, count => Assert.InRange(count, 850, 1150));
    }

    [Fact]
    public void Sends_an_event_to_the_queue_of_its_direction_and_conversation()
    {
        var towardsLegacy = new ImGroupCreated(Meta(EventTypes.ImGroupCreated, "group:@TGS#1"), null!);
        var towardsIm = new LegacyGroupMessageSent(Meta(EventTypes.LegacyGroupMessageSent, "group:@TGS#1"), null!);

        Assert.Equal("relay.im-to-legacy.14", RelayQueues.QueueFor(towardsLegacy, 32));
        Assert.Equal("relay.legacy-to-im.14", RelayQueues.QueueFor(towardsIm, 32));
    }

    [Fact]
    public void Every_im_event_goes_towards_legacy_and_every_legacy_event_towards_im()
    {
        Assert.Equal(35, EventCatalog.DirectionOf.Count);
        Assert.All(EventCatalog.DirectionOf, entry =>
            Assert.Equal(entry.Key.Name.StartsWith("Im", StringComparison.Ordinal) ? RelayDirection.ImToLegacy : RelayDirection.LegacyToIm, entry.Value));
    }

    [Theory]
    [InlineData("relay.im-to-legacy.0", "relay.im-to-legacy_error")]
    [InlineData("relay.im-to-legacy.31", "relay.im-to-legacy_error")]
    [InlineData("relay.legacy-to-im.7", "relay.legacy-to-im_error")]
    [InlineData("something-else", "something-else_error")]
    public void All_shards_of_a_direction_fault_into_one_error_queue(string queue, string expected)
    {
        Assert.Equal(expected, new RelayQueues.ErrorQueueNames().FormatErrorQueueName(queue));
    }

    [Fact]
    public void Defaults_to_32_shards()
    {
        Assert.Equal(32, ResolveSync().Shards);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    public void Rejects_a_shard_count_out_of_range_by_name(string shards)
    {
        var error = Assert.Throws<OptionsValidationException>(() => ResolveSync(("Sync:Shards", shards)));
        Assert.Contains("Sync:Shards must be between 1 and 256", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quorum", "amqp://rabbit/", "exchange:relay.im-to-legacy_error")]
    [InlineData("classic", "amqp://rabbit/", "queue:relay.im-to-legacy_error")]
    [InlineData("quorum", "", "queue:relay.im-to-legacy_error")]
    public void Faults_go_to_the_exchange_of_a_quorum_error_queue_so_it_is_never_redeclared_as_classic(string type, string uri, string address)
    {
        Assert.Equal(new Uri(address), RelayQueues.ErrorAddress(RelayDirection.ImToLegacy, new RabbitMqOptions { QueueType = type, Uri = uri }));
    }

    private static EventMeta Meta(string type, string subject)
        => new("evt-1", "/test", type, subject, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static SyncOptions ResolveSync(params (string Key, string Value)[] settings) => MessagingSettings.Resolve<SyncOptions>(settings);
}
