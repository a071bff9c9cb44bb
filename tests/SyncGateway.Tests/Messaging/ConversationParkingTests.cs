using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Messaging;

public sealed class ConversationParkingTests
{
    private const string Conversation = "c2c:u_1:u_2";
    private static readonly RelayDirection Direction = RelayDirection.LegacyToIm;

    private readonly ManualTimeProvider _time = new();
    private readonly SyncOptions _sync = new() { ParkAfterSeconds = 0 };
    private readonly InMemoryKeyValueStore _store;
    private readonly ConversationParking _parking;
    private readonly FaultedEvents _faults;
    private readonly ConsumeContext _context = Substitute.For<ConsumeContext>();

    public ConversationParkingTests()
    {
        _store = new InMemoryKeyValueStore(_time);
        _parking = new ConversationParking(_store, _time);
        _faults = new FaultedEvents(_store, _time);
    }

    [Fact]
    public async Task An_event_that_keeps_failing_is_parked_and_the_later_events_of_its_conversation_wait_behind_it()
    {
        var steps = Steps();
        var tried = new List<string>();

        await steps.RunAsync(Direction, _context, Message("evt-1"), Failing("evt-1", tried));
        await steps.RunAsync(Direction, _context, Message("evt-2"), Failing("evt-2", tried));
        await steps.RunAsync(Direction, _context, Message("evt-3", "c2c:u_3:u_4"), Delivering("evt-3", tried));

        Assert.Equal(["evt-1", "evt-3"], tried);
        var parked = Assert.Single(await _parking.ListAsync(Direction));
        Assert.Equal((Conversation, 2L, "evt-1", 1), (parked.Conversation, parked.Events, parked.HeadEventId, parked.Attempts));
        Assert.Equal("legacy answered 500", parked.Reason);
        Assert.Equal(new ParkingCounts(Direction, 1, 2, _time.GetUtcNow()), await _parking.CountAsync(Direction));
        Assert.Empty(await _parking.ListAsync(RelayDirection.ImToLegacy));
    }

    [Fact]
    public async Task A_write_in_flight_when_the_consume_is_cancelled_finishes_and_is_recorded_so_the_redelivery_is_dropped()
    {
        using var consume = new CancellationTokenSource();
        var context = Substitute.For<ConsumeContext>();
        context.CancellationToken.Returns(consume.Token);
        var writes = 0;
        var steps = Steps();

        // The broker connection drops while legacy is answering: the write still gets its answer.
        await steps.RunAsync(Direction, context, Message("evt-1"), async token =>
        {
            writes++;
            await consume.CancelAsync();
            await Task.Delay(TimeSpan.FromMilliseconds(50), token);
            return new RelayResult.Delivered();
        });
        await steps.RunAsync(Direction, _context, Message("evt-1"), _ =>
        {
            writes++;
            return Task.FromResult<RelayResult>(new RelayResult.Delivered());
        });

        Assert.Equal(1, writes);
    }

    [Fact]
    public async Task A_permanent_failure_faults_the_event_for_an_operator_and_parks_nothing()
    {
        await Steps().RunAsync(Direction, _context, Message("evt-1"), _ => throw new PermanentFailureException("legacy answered 400"));

        Assert.Empty(await _parking.ListAsync(Direction));
        var fault = Assert.Single(await _faults.ListAsync(Direction, 10));
        Assert.Equal(("evt-1", Conversation, "legacy answered 400", 1), (fault.Id, fault.Conversation, fault.Reason, fault.Attempts));
        Assert.Equal("evt-1", fault.Event?.Meta.Id);
        Assert.Equal(1, await _faults.CountAsync(Direction));
    }

    [Fact]
    public async Task A_permanent_failure_that_cannot_be_kept_goes_to_the_error_queue()
    {
        var store = Substitute.For<IKeyValueStore>();
        store.HashGetAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<string>>()).Returns(Task.FromException<IReadOnlyList<string?>>(new TimeoutException("Redis did not answer")));
        store.ListLengthAsync(Arg.Any<string>()).Returns(0L);
        var steps = new RelaySteps(store, new ConversationParking(store, _time), new FaultedEvents(store, _time), TestTelemetry.Create(), new RelayHealth(_time),
            new SyncGateway.Ledger.DeliveryLedger(store, Options.Create(new SyncGateway.Ledger.LedgerOptions()), _time), Options.Create(_sync), _time, NullLogger<RelaySteps>.Instance);

        var thrown = await Assert.ThrowsAsync<PermanentFailureException>(() => steps.RunAsync(Direction, _context, Message("evt-1"),
            _ => throw new PermanentFailureException("legacy answered 400")));

        Assert.Equal("legacy answered 400", thrown.Message);
    }

    [Fact]
    public async Task A_replayed_event_is_relayed_before_the_later_events_held_behind_a_parked_head_and_after_earlier_ones()
    {
        await ParkAsync("evt-2", "evt-4");
        var relay = new RecordingRelay();

        await _parking.ReplayAsync(Direction, Message("evt-3"));
        await _parking.ReplayAsync(Direction, Message("evt-1"));
        await Worker(relay).DrainAsync(Direction, Conversation, CancellationToken.None);

        Assert.Equal(["evt-1", "evt-2", "evt-3", "evt-4"], relay.Tried);
        Assert.Empty(await _parking.ListAsync(Direction));
    }

    [Fact]
    public async Task A_replayed_event_never_goes_before_a_head_being_relayed()
    {
        await ParkAsync("evt-2", "evt-4");
        await _store.SetValueAsync(SyncGateway.Store.RedisKeys.ParkLock(Direction, Conversation), "the worker", TimeSpan.FromMinutes(1));

        await _parking.ReplayAsync(Direction, Message("evt-1"));

        Assert.Equal(["evt-2", "evt-1", "evt-4"], (await _store.ListRangeAsync(SyncGateway.Store.RedisKeys.ParkedEvents(Direction, Conversation)))
            .Select(raw => StoredEvents.Deserialize(raw).Event!.Meta.Id));
    }

    [Fact]
    public async Task A_replay_into_a_conversation_that_is_not_parked_parks_it_due_now_and_its_next_events_wait_behind()
    {
        await _parking.ReplayAsync(Direction, Message("evt-1"));

        Assert.True(await _parking.AppendIfParkedAsync(Direction, Message("evt-2")));
        Assert.Equal([Conversation], await _parking.DueAsync(Direction, 10));
        var parked = Assert.Single(await _parking.ListAsync(Direction));
        Assert.Equal(("evt-1", 2L, "replayed by an operator"), (parked.HeadEventId, parked.Events, parked.Reason));
    }

    [Fact]
    public async Task Discarding_a_parked_head_lets_the_conversation_go_on_unless_it_is_being_relayed()
    {
        await ParkAsync("evt-1", "evt-2");
        var lockKey = SyncGateway.Store.RedisKeys.ParkLock(Direction, Conversation);
        await _store.SetValueAsync(lockKey, "the worker", TimeSpan.FromMinutes(1));

        Assert.Null(await _parking.DiscardHeadAsync(Direction, Conversation, "evt-1"));
        await _store.DeleteAsync(lockKey);
        Assert.False(await _parking.DiscardHeadAsync(Direction, Conversation, "evt-2"));
        Assert.True(await _parking.DiscardHeadAsync(Direction, Conversation, "evt-1"));

        Assert.Equal("evt-2", Assert.Single(await _parking.ListAsync(Direction)).HeadEventId);
        Assert.True(await _parking.DiscardHeadAsync(Direction, Conversation, "evt-2"));
        Assert.Empty(await _parking.ListAsync(Direction));
        Assert.Empty(await _parking.DueAsync(Direction, 10));
    }

    [Fact]
    public async Task The_worker_retries_the_head_with_backoff_and_drains_the_conversation_in_order_once_it_succeeds()
    {
        var relay = new RecordingRelay { Failing = true };
        var worker = Worker(relay);
        await ParkAsync("evt-1", "evt-2", "evt-3");

        await worker.DrainAsync(Direction, Conversation, CancellationToken.None);

        Assert.Equal(["evt-1"], relay.Tried);
        var parked = Assert.Single(await _parking.ListAsync(Direction));
        Assert.Equal((3L, "evt-1", 2), (parked.Events, parked.HeadEventId, parked.Attempts));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(2), parked.NextTry);
        Assert.Empty(await _parking.DueAsync(Direction, 10));

        relay.Failing = false;
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([Conversation], await _parking.DueAsync(Direction, 10));
        await worker.DrainAsync(Direction, Conversation, CancellationToken.None);

        Assert.Equal(["evt-1", "evt-1", "evt-2", "evt-3"], relay.Tried);
        Assert.Empty(await _parking.ListAsync(Direction));
        Assert.Empty(await _parking.DueAsync(Direction, 10));
        Assert.False(await _parking.AppendIfParkedAsync(Direction, Message("evt-4")));
    }

    [Fact]
    public async Task The_worker_faults_a_head_that_fails_permanently_and_the_conversation_goes_on()
    {
        var relay = new RecordingRelay { PermanentlyFailing = "evt-1" };
        await ParkAsync("evt-1", "evt-2");

        await Worker(relay).DrainAsync(Direction, Conversation, CancellationToken.None);

        Assert.Equal(["evt-1", "evt-2"], relay.Tried);
        var fault = Assert.Single(await _faults.ListAsync(Direction, 10));
        // The consumer's try that parked it, and the worker's.
        Assert.Equal(("evt-1", 2), (fault.Id, fault.Attempts));
        Assert.Empty(await _parking.ListAsync(Direction));
    }

    [Fact]
    public async Task A_conversation_parked_again_while_it_was_being_un_parked_stays_on_the_index()
    {
        await ParkAsync("evt-1");
        var head = await _parking.HeadAsync(Direction, Conversation);
        Assert.True(await _parking.RemoveHeadAsync(Direction, Conversation, head!.Raw));
        await _parking.ParkAsync(Direction, Message("evt-2"), 1, _time.GetUtcNow(), "legacy answered 503", TimeSpan.Zero);

        await _parking.UnparkAsync(Direction, Conversation);

        Assert.Equal("evt-2", Assert.Single(await _parking.ListAsync(Direction)).HeadEventId);
        Assert.Equal([Conversation], await _parking.DueAsync(Direction, 10));
    }

    private async Task ParkAsync(params string[] ids)
    {
        await _parking.ParkAsync(Direction, Message(ids[0]), 1, _time.GetUtcNow(), "legacy answered 500", TimeSpan.Zero);
        foreach (var id in ids.Skip(1))
        {
            Assert.True(await _parking.AppendIfParkedAsync(Direction, Message(id)));
        }
    }

    private RelaySteps Steps()
        => new(_store, _parking, _faults, TestTelemetry.Create(), new RelayHealth(_time), new SyncGateway.Ledger.DeliveryLedger(_store, Options.Create(new SyncGateway.Ledger.LedgerOptions()), _time), Options.Create(_sync), _time, NullLogger<RelaySteps>.Instance);

    private ParkingWorker Worker(RecordingRelay relay)
    {
        var services = new ServiceCollection();
        services.AddSingleton(relay);
        return new ParkingWorker(_parking, _faults, new PauseGate(Options.Create(_sync)), _store, services.BuildServiceProvider().GetRequiredService<IServiceScopeFactory>(),
            [new RelayQueues.Consumer(typeof(RecordingRelay), Direction)], Options.Create(_sync), TestTelemetry.Create(), _time, NullLogger<ParkingWorker>.Instance);
    }

    private static Func<CancellationToken, Task<RelayResult>> Failing(string id, List<string> tried)
        => _ =>
        {
            tried.Add(id);
            throw new TransientFailureException("legacy answered 500");
        };

    private static Func<CancellationToken, Task<RelayResult>> Delivering(string id, List<string> tried)
        => _ =>
        {
            tried.Add(id);
            return Task.FromResult<RelayResult>(new RelayResult.Delivered());
        };

    /// <summary>A message whose time is its id's number in seconds: evt-2 was sent after evt-1.</summary>
    private static LegacyC2CMessageSent Message(string id, string conversation = Conversation)
        => new(new EventMeta(id, "/legacy/chat", EventTypes.LegacyC2CMessageSent, conversation, SentAt(id), SentAt(id)),
            new C2CMessageData("u_1", "u_2", [new MessageElement("TIMTextElem", JsonSerializer.SerializeToElement(new { Text = id }))]));

    private static DateTimeOffset SentAt(string id) => DateTimeOffset.UnixEpoch.AddSeconds(int.Parse(id["evt-".Length..], System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Stands in for a relay consumer: records the ids it is asked to relay, failing as told.</summary>
    internal sealed class RecordingRelay : IConsumer<LegacyC2CMessageSent>, IParkedRelay
    {
        public List<string> Tried { get; } = [];

        public bool Failing { get; set; }

        public string? PermanentlyFailing { get; set; }

        public Task Consume(ConsumeContext<LegacyC2CMessageSent> context) => throw new NotSupportedException();

        public Task RelayParkedAsync(ISyncEvent evt, int attempt, CancellationToken cancellationToken)
        {
            Tried.Add(evt.Meta.Id);
            if (evt.Meta.Id == PermanentlyFailing)
            {
                throw new PermanentFailureException("IM refused it");
            }
            return Failing ? throw new TransientFailureException("IM is away") : Task.CompletedTask;
        }
    }
}
