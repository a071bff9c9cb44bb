using System.Net;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.FromIm;
using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.Tests.Support;
using SyncGateway.ToLegacy;
using static SyncGateway.Tests.FromIm.CallbackSamples;

namespace SyncGateway.Tests.ToLegacy;

public sealed class LegacyRelayTests : IDisposable
{
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 15, 15, 0, 0, TimeSpan.Zero));
    private readonly SyncOptions _sync = new();
    private readonly LegacyOptions _legacy = new()
    {
        EventsUrl = new Uri("https://legacy.example.com/hooks/im-events"),
        SigningSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        DeliveryAttempts = 1,
    };
    private readonly ConsumeContext _context = Substitute.For<ConsumeContext>();
    private readonly InMemoryKeyValueStore _store;
    private readonly LegacyClientFactory _clients;
    private readonly OriginTags _tags;

    public LegacyRelayTests()
    {
        _store = new InMemoryKeyValueStore(_time);
        _tags = new OriginTags(_store, Options.Create(_sync));
        _clients = new LegacyClientFactory(_time);
    }

    public void Dispose() => _clients.Dispose();

    [Fact]
    public async Task Delivers_an_event_that_arrives_twice_once()
    {
        var handler = StubHttpHandler.Answering(HttpStatusCode.OK);
        var relay = Relay(handler);
        var evt = Parse<ImGroupMessageSent>(GroupMessage);

        await relay.RelayAsync(_context, evt);
        await relay.RelayAsync(_context, evt);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(evt.Meta.Id, request.Header("webhook-id"));
    }

    [Fact]
    public async Task Does_not_relay_the_echo_of_a_message_we_wrote()
    {
        var handler = StubHttpHandler.Answering(HttpStatusCode.OK);
        var evt = Parse<ImC2CMessageSent>(C2CMessage);
        await _tags.ExpectImEchoesAsync("lg-88231", evt.Meta.Subject, Declarations.Of<C2CMessageData>().ImEchoParts(evt.Data));

        await Relay(handler).RelayAsync(_context, evt);

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task Relays_the_members_that_were_not_echoes()
    {
        var handler = StubHttpHandler.Answering(HttpStatusCode.OK);
        var evt = Parse<ImGroupMembersJoined>(With(NewMemberJoin, "NewMemberList",
            JsonNode.Parse("""[ { "Member_Account": "u_1" }, { "Member_Account": "u_2" }, { "Member_Account": "u_3" } ]""")));
        await _tags.ExpectImEchoesAsync("lg-7", evt.Meta.Subject, Declarations.Of<GroupMembersJoinedData>().ImEchoParts(evt.Data with { Members = ["u_2"] }));

        await Relay(handler).RelayAsync(_context, evt);

        var cloudEvent = JsonNode.Parse(Assert.Single(handler.Requests).Body)!;
        Assert.Equal(evt.Meta.Id, (string?)cloudEvent["id"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""["u_1", "u_3"]"""), cloudEvent["data"]!["members"]), cloudEvent.ToJsonString());
    }

    [Fact]
    public async Task Expects_the_legacy_echo_of_what_it_relays()
    {
        var evt = Parse<ImC2CMessageSent>(C2CMessage);

        await Relay(StubHttpHandler.Answering(HttpStatusCode.OK)).RelayAsync(_context, evt);

        var echo = evt.Data with { MsgRandom = null, MsgKey = null, LegacyMessageId = "lg-1" };
        Assert.Equal([true], await _tags.TakeLegacyEchoesAsync("lg-1", evt.Meta.Subject, Declarations.Of<C2CMessageData>().LegacyEchoParts(echo)));
        Assert.True(await _tags.TakeLegacyOriginAsync("lg-2", evt.Meta.Subject, evt.Meta.Id, []));
    }

    [Fact]
    public async Task A_message_that_came_from_legacy_carries_its_legacy_message_id()
    {
        var handler = StubHttpHandler.Answering(HttpStatusCode.OK);
        var evt = Parse<ImC2CMessageSent>(C2CMessage);
        await Ledger().RecordAsync(new LedgerEntry("L-77812", MessageOrigin.Legacy, evt.Data.From, evt.Data.To, MsgKey: evt.Data.MsgKey));

        await Relay(handler).RelayAsync(_context, evt);

        var cloudEvent = JsonNode.Parse(Assert.Single(handler.Requests).Body)!;
        Assert.Equal("L-77812", (string?)cloudEvent["data"]!["legacyMessageId"]);
    }

    [Fact]
    public async Task A_message_born_in_IM_is_recorded_under_its_event_id_and_carries_no_legacy_message_id()
    {
        var handler = StubHttpHandler.Answering(HttpStatusCode.OK);
        var evt = Parse<ImGroupMessageSent>(GroupMessage);

        await Relay(handler).RelayAsync(_context, evt);

        var cloudEvent = JsonNode.Parse(Assert.Single(handler.Requests).Body)!;
        Assert.Null(cloudEvent["data"]!["legacyMessageId"]);
        var entry = await Ledger().FindByGroupSeqAsync(evt.Data.GroupId, evt.Data.MsgSeq!.Value);
        Assert.Equal(new LedgerEntry(evt.Meta.Id, MessageOrigin.Im, evt.Data.From, GroupId: evt.Data.GroupId, MsgSeq: evt.Data.MsgSeq,
            MsgTime: evt.Data.MsgTime), entry);
        Assert.Equal(entry, await Ledger().FindByLegacyIdAsync(evt.Meta.Id));
    }

    [Fact]
    public async Task Delivers_an_event_again_after_a_permanent_failure()
    {
        var handler = StubHttpHandler.Answering(HttpStatusCode.BadRequest, HttpStatusCode.OK);
        var relay = Relay(handler);
        var evt = Parse<ImGroupCreated>(GroupCreated);

        await Assert.ThrowsAsync<PermanentFailureException>(() => relay.RelayAsync(_context, evt));
        await relay.RelayAsync(_context, evt);

        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task Lets_a_transient_failure_through_for_the_consumer_to_retry()
    {
        var handler = StubHttpHandler.Answering(HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK);
        var relay = Relay(handler);
        var evt = Parse<ImGroupDismissed>(GroupDestroyed);

        await Assert.ThrowsAsync<TransientFailureException>(() => relay.RelayAsync(_context, evt));
        await relay.RelayAsync(_context, evt);
        await relay.RelayAsync(_context, evt);

        Assert.Equal(2, handler.Requests.Count);
    }

    private RelayUnderTest Relay(StubHttpHandler handler)
        => new(
            new RelaySteps(_store, new ConversationParking(_store, _time), new FaultedEvents(_store, _time), TestTelemetry.Create(), new RelayHealth(_time), new DeliveryLedger(_store, Options.Create(new LedgerOptions()), _time), Options.Create(_sync), _time, NullLogger<RelaySteps>.Instance),
            new LegacyRelay(_tags, Ledger(), TestRepair.State(_store, _time), TestRepair.Baseline(_store), _clients.Create(_legacy, handler)));

    private MessageLedger Ledger() => new(_store, Options.Create(new LedgerOptions()));

    /// <summary>One try of the relay as its consumer runs it: inside the steps every event takes.</summary>
    private sealed class RelayUnderTest(RelaySteps steps, LegacyRelay relay)
    {
        public Task RelayAsync<TData>(ConsumeContext context, ISyncEvent<TData> evt) where TData : class
            => steps.RelayAsync(RelayDirection.ImToLegacy, evt, 1, cancellationToken => relay.RelayAsync(Declarations.Of<TData>(), evt, cancellationToken), context.CancellationToken, firstFromQueue: true);
    }

    private static T Parse<T>(string body) where T : ISyncEvent
    {
        var parser = new ImCallbackParser(SdkAppId, relayUndeliveredC2CMessages: false);
        var result = parser.Parse(CommandOf(body), Bytes(body), ReceivedAt);
        return Assert.IsType<T>(Assert.IsType<CallbackParseResult.Accepted>(result).Event);
    }
}
