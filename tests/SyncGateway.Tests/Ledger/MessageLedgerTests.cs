using Microsoft.Extensions.Options;
using SyncGateway.Ledger;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Ledger;

public sealed class MessageLedgerTests
{
    private static readonly LedgerEntry FromLegacy = new("L-77812", MessageOrigin.Legacy, "u_1", "u_2", MsgKey: "517364_1850291734_1736920800", MsgTime: 1736920800);
    private static readonly LedgerEntry GroupFromLegacy = new("G-99120", MessageOrigin.Legacy, "u_3", GroupId: "g:42", MsgSeq: 42, MsgTime: 1736953000);

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 15, 6, 0, 0, TimeSpan.Zero));
    private readonly LedgerOptions _options = new();
    private readonly MessageLedger _ledger;

    public MessageLedgerTests() => _ledger = new MessageLedger(new InMemoryKeyValueStore(_time), Options.Create(_options));

    [Fact]
    public async Task Finds_a_1to1_message_by_its_legacy_id_and_by_its_MsgKey()
    {
        await _ledger.RecordAsync(FromLegacy);

        Assert.Equal(FromLegacy, await _ledger.FindByLegacyIdAsync("L-77812"));
        Assert.Equal(FromLegacy, await _ledger.FindByMsgKeyAsync("517364_1850291734_1736920800"));
        Assert.Equal(FromLegacy, await _ledger.FindByImIdAsync(FromLegacy with { LegacyMessageId = "im-other", Origin = MessageOrigin.Im }));
    }

    [Fact]
    public async Task Finds_a_group_message_by_its_legacy_id_and_by_group_and_MsgSeq()
    {
        await _ledger.RecordAsync(GroupFromLegacy);

        Assert.Equal(GroupFromLegacy, await _ledger.FindByLegacyIdAsync("G-99120"));
        Assert.Equal(GroupFromLegacy, await _ledger.FindByGroupSeqAsync("g:42", 42));
        Assert.Null(await _ledger.FindByGroupSeqAsync("g:42", 43));
        Assert.Null(await _ledger.FindByGroupSeqAsync("g", 42));
    }

    [Fact]
    public async Task Keeps_messages_of_different_topics_of_one_community_apart()
    {
        var inTopic = GroupFromLegacy with { LegacyMessageId = "G-1", GroupId = "@TGS#_c", TopicId = "@TGS#_c@TOPIC#_t1" };
        await _ledger.RecordAsync(inTopic);

        Assert.Equal(inTopic, await _ledger.FindByGroupSeqAsync("@TGS#_c", 42, "@TGS#_c@TOPIC#_t1"));
        Assert.Null(await _ledger.FindByGroupSeqAsync("@TGS#_c", 42));
    }

    [Fact]
    public async Task Finds_nothing_for_an_unknown_message()
    {
        Assert.Null(await _ledger.FindByLegacyIdAsync("L-unknown"));
        Assert.Null(await _ledger.FindByMsgKeyAsync("1_2_3"));
    }

    [Fact]
    public async Task A_message_born_in_IM_never_replaces_the_entry_of_a_message_from_legacy()
    {
        await _ledger.RecordAsync(FromLegacy);

        await _ledger.RecordAsync(FromLegacy with { LegacyMessageId = "im-9b73", Origin = MessageOrigin.Im });

        Assert.Equal(FromLegacy, await _ledger.FindByMsgKeyAsync(FromLegacy.MsgKey!));
    }

    [Fact]
    public async Task A_message_from_legacy_replaces_what_an_IM_event_recorded_first()
    {
        await _ledger.RecordAsync(FromLegacy with { LegacyMessageId = "im-9b73", Origin = MessageOrigin.Im });

        await _ledger.RecordAsync(FromLegacy);

        Assert.Equal(FromLegacy, await _ledger.FindByMsgKeyAsync(FromLegacy.MsgKey!));
    }

    [Fact]
    public async Task Forgets_a_message_after_the_configured_number_of_days()
    {
        _options.MessageTtlDays = 2;
        await _ledger.RecordAsync(FromLegacy);

        _time.Advance(TimeSpan.FromDays(2) - TimeSpan.FromSeconds(1));
        Assert.NotNull(await _ledger.FindByLegacyIdAsync("L-77812"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await _ledger.FindByLegacyIdAsync("L-77812"));
        Assert.Null(await _ledger.FindByMsgKeyAsync(FromLegacy.MsgKey!));
    }

    [Fact]
    public async Task Records_an_entry_without_an_IM_id_under_its_legacy_id_only()
    {
        var entry = new LedgerEntry("L-1", MessageOrigin.Legacy, "u_1", "u_2", MsgTime: 1736953200);

        await _ledger.RecordAsync(entry);

        Assert.Equal(entry, await _ledger.FindByLegacyIdAsync("L-1"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3651)]
    public void A_ttl_out_of_range_is_refused_naming_the_key(int days)
    {
        Assert.Equal(["Ledger:MessageTtlDays must be between 1 and 3650"], LedgerRegistration.Validate(new LedgerOptions { MessageTtlDays = days }));
    }

    [Fact]
    public void The_default_ttl_is_30_days_and_valid()
    {
        var options = new LedgerOptions();

        Assert.Equal(30, options.MessageTtlDays);
        Assert.Empty(LedgerRegistration.Validate(options));
    }
}
