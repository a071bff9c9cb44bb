using System.Text;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Ledger;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Ledger;

public sealed class DeliveryLedgerTests
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static readonly DateTimeOffset ReceivedAt = new(2025, 1, 15, 5, 59, 59, TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 15, 6, 0, 0, TimeSpan.Zero));
    private readonly LedgerOptions _options = new();
    private readonly InMemoryKeyValueStore _store;
    private readonly DeliveryLedger _ledger;

    public DeliveryLedgerTests()
    {
        _store = new InMemoryKeyValueStore(_time);
        _ledger = new DeliveryLedger(_store, Options.Create(_options), _time);
    }

    [Fact]
    public async Task Keeps_the_steps_in_order_with_direction_type_and_trace_and_finds_the_event_by_each_id()
    {
        var received = DeliveryLedger.Received(ReceivedAt, RelayDirection.ImToLegacy, "im.c2c.message.sent", "c2c:u_1:u_2", Trace);
        await _ledger.RecordAsync("ev-1", [received, _ledger.Step(DeliverySteps.Retried, "attempt 1: legacy answered 503")]);
        _time.Advance(TimeSpan.FromSeconds(2));
        await _ledger.RecordAsync("ev-1", [_ledger.Step(DeliverySteps.Relayed, "legacy 204")], new MessageTarget("ev-1", MsgKey: "k-1"));

        var record = await _ledger.FindAsync("ev-1");

        Assert.NotNull(record);
        Assert.Equal(("im-to-legacy", "im.c2c.message.sent", "c2c:u_1:u_2", Trace), (record.Direction, record.Type, record.Subject, record.TraceId));
        Assert.Equal([DeliverySteps.Received, DeliverySteps.Retried, DeliverySteps.Relayed], record.Steps.Select(s => s.Step));
        Assert.Equal(ReceivedAt, record.Steps[0].At);
        Assert.Equal("legacy 204", record.Steps[2].Detail);
        Assert.Equal("ev-1", Assert.Single(await _ledger.FindByMsgKeyAsync("k-1")).Id);
        Assert.Equal("ev-1", Assert.Single(await _ledger.FindByLegacyIdAsync("ev-1")).Id);
    }

    [Fact]
    public async Task A_delta_and_its_suppressed_echo_share_a_message_id_and_the_echo_names_its_tag()
    {
        await _ledger.RecordAsync("delta", [_ledger.Step(DeliverySteps.Relayed, "IM MsgSeq 42")], new MessageTarget("L-1", GroupId: "g1", MsgSeq: 42));
        await _ledger.RecordAsync("echo", [_ledger.Step(DeliverySteps.Echo, "origin-tag")], new MessageTarget("L-1", GroupId: "g1", MsgSeq: 42));
        // A redelivery indexes the event again; it is answered once.
        await _ledger.RecordAsync("echo", [_ledger.Step(DeliverySteps.Duplicate, "already done")], new MessageTarget("L-1", GroupId: "g1", MsgSeq: 42));

        var found = await _ledger.FindByGroupSeqAsync("g1", 42);

        Assert.Equal(["delta", "echo"], found.Select(r => r.Id));
        Assert.Equal("origin-tag", found[1].Steps[0].Detail);
        Assert.Empty(await _ledger.FindByGroupSeqAsync("g1", 43));
    }

    [Fact]
    public async Task Forgets_an_event_after_Ledger_TtlDays()
    {
        _options.TtlDays = 2;
        await _ledger.RecordAsync("ev-1", [_ledger.Step(DeliverySteps.Relayed)], new MessageTarget("L-1"));

        _time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));

        Assert.Null(await _ledger.FindAsync("ev-1"));
        Assert.Empty(await _ledger.FindByLegacyIdAsync("L-1"));
    }

    [Fact]
    public void A_typical_event_takes_about_two_hundred_bytes_of_values()
    {
        var lines = new[]
        {
            DeliveryLedger.Received(ReceivedAt, RelayDirection.ImToLegacy, "im.c2c.message.sent", "c2c:user_000123:user_004567", Trace),
            _ledger.Step(DeliverySteps.Relayed, "legacy 204"),
        };

        var bytes = lines.Sum(l => Encoding.UTF8.GetByteCount(l));

        Assert.InRange(bytes, 100, 200);
    }
}
