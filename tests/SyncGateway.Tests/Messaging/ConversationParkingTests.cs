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
    private readonly ConsumeContext _context = Substitute.For<ConsumeContext>();

    public ConversationParkingTests()
    {
        _store = new InMemoryKeyValueStore(_time);
        _parking = new ConversationParking(_store, _time);
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
    public async Task A_permanent_failure_faults_the_event_and_parks_nothing()
    {
        await Assert.ThrowsAsync<PermanentFailureException>(() => Steps().RunAsync(Direction, _context, Message("evt-1"),
            _ => throw new PermanentFailureException("legacy answered 400")));

        Assert.Empty(await _parking.ListAsync(Direction));
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
    public async Task The_worker_sends_a_head_that_fails_permanently_to_the_error_queue_and_the_conversation_goes_on()
    {
        var relay = new RecordingRelay { PermanentlyFailing = "evt-1" };
        var bus = Substitute.For<IBus>();
        var errors = Substitute.For<ISendEndpoint>();
        bus.GetSendEndpoint(new Uri("queue:relay.legacy-to-im_error")).Returns(errors);
        await ParkAsync("evt-1", "evt-2");

        await Worker(relay, bus).DrainAsync(Direction, Conversation, CancellationToken.None);

        Assert.Equal(["evt-1", "evt-2"], relay.Tried);
        var sent = Assert.Single(errors.ReceivedCalls());
        Assert.Equal("evt-1", Assert.IsType<LegacyC2CMessageSent>(sent.GetArguments()[0]).Meta.Id);
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
        => new(_store, _parking, TestTelemetry.Create(), new RelayHealth(_time), new SyncGateway.Ledger.DeliveryLedger(_store, Options.Create(new SyncGateway.Ledger.LedgerOptions()), _time), Options.Create(_sync), _time, NullLogger<RelaySteps>.Instance);

    private ParkingWorker Worker(RecordingRelay relay, IBus? bus = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton(relay);
        services.AddSingleton(bus ?? Substitute.For<IBus>());
        return new ParkingWorker(_parking, _store, services.BuildServiceProvider().GetRequiredService<IServiceScopeFactory>(),
            [new RelayQueues.Consumer(typeof(RecordingRelay), Direction)], Options.Create(_sync), Options.Create(new RabbitMqOptions()), TestTelemetry.Create(), _time, NullLogger<ParkingWorker>.Instance);
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

    private static LegacyC2CMessageSent Message(string id, string conversation = Conversation)
        => new(new EventMeta(id, "/legacy/chat", EventTypes.LegacyC2CMessageSent, conversation, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch),
            new C2CMessageData("u_1", "u_2", [new MessageElement("TIMTextElem", JsonSerializer.SerializeToElement(new { Text = id }))]));

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
