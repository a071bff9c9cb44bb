using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.Messaging;
using SyncGateway.Repair;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Repair;

public sealed class GroupRepairerTests
{
    private static readonly GroupRef Group = new("g_1");

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
    private readonly InMemoryKeyValueStore _store;
    private readonly MessageLedger _ledger;
    private readonly RepairState _state;
    private readonly HistoryStub _im = new();
    private readonly List<ISyncEvent> _published = [];

    public GroupRepairerTests()
    {
        _store = new InMemoryKeyValueStore(_time);
        _ledger = new MessageLedger(_store, Options.Create(new LedgerOptions()));
        _state = TestRepair.State(_store, _time);
    }

    [Fact]
    public async Task Classifies_each_missing_seq_and_publishes_only_messages_never_relayed_with_the_id_their_callback_would_have_had()
    {
        await _state.GroupMessageSeenAsync(Group, 1);
        await _state.GroupMessageSeenAsync(Group, 8);
        await _ledger.RecordAsync(new LedgerEntry("L-5", MessageOrigin.Legacy, "u_1", GroupId: "g_1", MsgSeq: 5));
        await _ledger.RecordAsync(new LedgerEntry("im-6", MessageOrigin.Im, "u_2", GroupId: "g_1", MsgSeq: 6));
        _im.Items = [Message(7, "missed"), Message(6, "relayed"), Message(5, "ours"), Place(4, recalled: true), Place(3, recalled: false), Tip(2)];

        var report = await Repairer().RepairAsync(Group, [2, 3, 4, 5, 6, 7], dryRun: false, default);

        Assert.Equal(1, report.Count(RepairOutcome.System));
        Assert.Equal(1, report.Count(RepairOutcome.Unrepairable));
        Assert.Equal(1, report.Count(RepairOutcome.Recalled));
        Assert.Equal(1, report.Count(RepairOutcome.OwnWrite));
        Assert.Equal(1, report.Count(RepairOutcome.AlreadyRelayed));
        Assert.Equal(1, report.Count(RepairOutcome.Repaired));
        Assert.Equal(["group g_1 msgSeq 7"], report.MissingItems);
        var repaired = Assert.IsType<ImGroupMessageSent>(Assert.Single(_published));
        var callback = new ImCallbackParser(1400000001, false).Parse("Group.CallbackAfterSendMsg", Callback(7, "missed"), _time.GetUtcNow());
        Assert.Equal(Assert.IsType<CallbackParseResult.Accepted>(callback).Event.Meta.Id, repaired.Meta.Id);
        Assert.True(repaired.Meta.Repaired);
        Assert.Equal(("u_9", 7L, 4242L), (repaired.Data.From, repaired.Data.MsgSeq!.Value, repaired.Data.Random!.Value));
        Assert.Equal(["group_open_http_svc/group_msg_get_simple"], report.Calls.Keys);
        Assert.Empty((await _state.SequenceAsync(Group))!.Holes);
        Assert.Empty(await _state.GroupsWithHolesAsync(_time.GetUtcNow(), 10));
    }

    [Fact]
    public async Task A_dry_run_publishes_and_closes_nothing()
    {
        await _state.GroupMessageSeenAsync(Group, 1);
        await _state.GroupMessageSeenAsync(Group, 3);
        _im.Items = [Message(2, "missed")];

        var report = await Repairer().RepairAsync(Group, [2], dryRun: true, default);

        Assert.Equal(1, report.Count(RepairOutcome.Missing));
        Assert.Empty(_published);
        Assert.Equal([2L], (await _state.SequenceAsync(Group))!.Holes.Keys);
    }

    [Fact]
    public async Task A_relayed_message_is_not_published_again()
    {
        await _state.GroupMessageSeenAsync(Group, 1);
        await _state.GroupMessageSeenAsync(Group, 3);
        _im.Items = [Message(2, "came late")];
        var callback = new ImCallbackParser(1400000001, false).Parse("Group.CallbackAfterSendMsg", Callback(2, "came late"), _time.GetUtcNow());
        await _store.SetAsync(RedisKeys.Done(RelayDirection.ImToLegacy, Assert.IsType<CallbackParseResult.Accepted>(callback).Event.Meta.Id), TimeSpan.FromHours(1));

        var report = await Repairer().RepairAsync(Group, [2], dryRun: false, default);

        Assert.Equal(1, report.Count(RepairOutcome.AlreadyRelayed));
        Assert.Empty(_published);
    }

    [Fact]
    public async Task Follows_IM_paging_when_an_answer_is_cut_short_and_reads_wide_gaps_20_seqs_a_call()
    {
        await _state.GroupMessageSeenAsync(Group, 1);
        await _state.GroupMessageSeenAsync(Group, 30);
        _im.Items = [.. Enumerable.Range(2, 28).Select(seq => Message(seq, $"m{seq}"))];
        _im.PageSize = 6;

        var report = await Repairer().RepairAsync(Group, [.. Enumerable.Range(2, 28).Select(s => (long)s)], dryRun: false, default);

        Assert.Equal(28, report.Count(RepairOutcome.Repaired));
        Assert.All(_im.Requests, r => Assert.InRange(r.ReqMsgNumber, 1, 20));
        Assert.Equal(28, _published.Count);
    }

    [Fact]
    public async Task A_group_IM_reports_dismissed_is_forgotten_with_its_holes()
    {
        await _state.GroupMessageSeenAsync(Group, 1);
        await _state.GroupMessageSeenAsync(Group, 3);
        _im.Failure = new ImPermanentException(ImApi.GroupMsgGetSimple, 10010, "group dismissed");

        var report = await Repairer().RepairAsync(Group, [2], dryRun: false, default);

        Assert.Equal(1, report.Count(RepairOutcome.Unrepairable));
        Assert.Null(await _state.SequenceAsync(Group));
        Assert.Empty(await _state.GroupsWithHolesAsync(_time.GetUtcNow(), 10));
    }

    [Fact]
    public async Task Only_one_process_repairs_a_group_at_a_time()
    {
        await _state.GroupMessageSeenAsync(Group, 1);
        await _state.GroupMessageSeenAsync(Group, 3);
        _im.Items = [Message(2, "missed")];
        var repairer = Repairer();
        var sweep = new GroupSweep(_state, repairer, new GroupStateRepairer(_im, TestRepair.Baseline(_store), new RepairPublisher(_store, Substitute.For<IEventPublisher>()),
            new ImCallbackParser(1400000001, false), TestTelemetry.Create(), _time, NullLogger<GroupStateRepairer>.Instance), _im);
        Assert.True(await _state.TryLockAsync(Group, "another replica", TimeSpan.FromMinutes(5)));

        Assert.False(await sweep.RepairHolesAsync(Group, _time.GetUtcNow(), compareState: false, new RepairReport(), default));
        Assert.Empty(_im.Requests);
        Assert.Equal([2L], (await _state.SequenceAsync(Group))!.Holes.Keys);

        await _state.UnlockAsync(Group);
        Assert.True(await sweep.RepairHolesAsync(Group, _time.GetUtcNow(), compareState: false, new RepairReport(), default));
        Assert.Single(_published);
        Assert.Empty((await _state.SequenceAsync(Group))!.Holes);
    }

    private GroupRepairer Repairer()
    {
        var publisher = Substitute.For<IEventPublisher>();
        publisher.PublishAsync(Arg.Do<ISyncEvent>(_published.Add), Arg.Any<CancellationToken>()).Returns(Task.CompletedTask);
        return new GroupRepairer(_im, _ledger, new RepairPublisher(_store, publisher), new ImCallbackParser(1400000001, false), _state, TestTelemetry.Create(), _time,
            NullLogger<GroupRepairer>.Instance);
    }

    private static JsonObject Message(long seq, string text) => new()
    {
        ["MsgSeq"] = seq, ["From_Account"] = "u_9", ["MsgTimeStamp"] = 1_796_000_000 + seq, ["MsgRandom"] = 4242, ["IsPlaceMsg"] = 0,
        ["MsgBody"] = new JsonArray(new JsonObject { ["MsgType"] = "TIMTextElem", ["MsgContent"] = new JsonObject { ["Text"] = text } }),
    };

    private static JsonObject Place(long seq, bool recalled) => new()
    {
        ["MsgSeq"] = seq, ["From_Account"] = "u_9", ["MsgTimeStamp"] = 1_796_000_000 + seq, ["IsPlaceMsg"] = recalled ? 2 : 1, ["MsgBody"] = new JsonArray(),
    };

    private static JsonObject Tip(long seq) => new()
    {
        ["MsgSeq"] = seq, ["From_Account"] = "@TIM#SYSTEM", ["MsgTimeStamp"] = 1_796_000_000 + seq, ["IsPlaceMsg"] = 0, ["IsSystemMsg"] = 1, ["MsgBody"] = new JsonObject(),
    };

    private static byte[] Callback(long seq, string text) => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["CallbackCommand"] = "Group.CallbackAfterSendMsg", ["GroupId"] = "g_1", ["Type"] = "Public", ["From_Account"] = "u_9", ["Operator_Account"] = "u_9",
        ["Random"] = 4242, ["MsgSeq"] = seq, ["MsgTime"] = 1_796_000_000 + seq, ["EventTime"] = (1_796_000_000 + seq) * 1000 + 5,
        ["MsgBody"] = new JsonArray(new JsonObject { ["MsgType"] = "TIMTextElem", ["MsgContent"] = new JsonObject { ["Text"] = text } }),
    });

    /// <summary>group_msg_get_simple over a fixed history: newest first, at most <see cref="PageSize"/> items, IsFinished 0 when cut short.</summary>
    private sealed class HistoryStub : IImRestClient
    {
        public List<JsonObject> Items { get; set; } = [];

        public int PageSize { get; set; } = 20;

        public Exception? Failure { get; set; }

        public List<GroupMsgGetSimpleRequest> Requests { get; } = [];

        public Task<JsonElement> CallAsync(ImApi api, object body, CancellationToken cancellationToken)
        {
            if (Failure is not null)
            {
                throw Failure;
            }
            var request = Assert.IsType<GroupMsgGetSimpleRequest>(body);
            Requests.Add(request);
            var wanted = Items.Where(i => (long)i["MsgSeq"]! <= request.ReqMsgSeq && (long)i["MsgSeq"]! > request.ReqMsgSeq - request.ReqMsgNumber)
                .OrderByDescending(i => (long)i["MsgSeq"]!).ToList();
            var page = wanted.Take(PageSize).ToList();
            var answer = new JsonObject
            {
                ["GroupId"] = request.GroupId,
                ["IsFinished"] = page.Count < wanted.Count ? 0 : 1,
                ["RspMsgList"] = new JsonArray([.. page.Select(i => (JsonNode)i.DeepClone())]),
            };
            return Task.FromResult(JsonSerializer.SerializeToElement(answer));
        }
    }
}
