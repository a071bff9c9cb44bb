using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.Im;
using SyncGateway.Messaging;
using SyncGateway.Repair;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Repair;

public sealed class GroupStateRepairerTests
{
    private const string Group = "g_1";

    private readonly ManualTimeProvider _time = new();
    private readonly InMemoryKeyValueStore _store;
    private readonly GroupBaseline _baseline;
    private readonly GroupStateIm _im = new();
    private readonly RecordingPublisher _published = new();

    public GroupStateRepairerTests()
    {
        _store = new InMemoryKeyValueStore(_time);
        _baseline = TestRepair.Baseline(_store);
    }

    private GroupStateRepairer Repairer(IKeyValueStore? store = null, RecordingPublisher? publisher = null)
    {
        store ??= _store;
        return new(_im, store == _store ? _baseline : TestRepair.Baseline(store), new RepairPublisher(store, publisher ?? _published),
            new ImCallbackParser(1400000000, relayUndeliveredC2CMessages: false), TestTelemetry.Create(), _time, NullLogger<GroupStateRepairer>.Instance);
    }

    /// <summary>The group as the gateway relayed its creation: owner u_1, members u_2 and u_3, name "Team".</summary>
    private Task CreatedAsync(IKeyValueStore? store = null)
        => (store is null ? _baseline : TestRepair.Baseline(store)).SeenAsync("created", new GroupCreatedData(Group, "Public", "Team", "u_1", Members: ["u_2", "u_3"]));

    private void ImHas(params string[] members)
    {
        _im.Members.Clear();
        foreach (var (member, i) in members.Select((m, i) => (m, i)))
        {
            _im.Members[member] = 1_772_000_000 + i;
        }
    }

    [Fact]
    public async Task Members_in_IM_but_not_relayed_become_one_repaired_join_and_members_gone_from_IM_one_repaired_exit()
    {
        await CreatedAsync();
        ImHas("u_1", "u_3", "u_5", "u_6");

        var report = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        var joined = Assert.IsType<ImGroupMembersJoined>(_published.Events[0]);
        var left = Assert.IsType<ImGroupMembersLeft>(_published.Events[1]);
        Assert.Equal(2, _published.Events.Count);
        Assert.Equal(["u_5", "u_6"], joined.Data.Members);
        Assert.Equal(["u_2"], left.Data.Members);
        Assert.True(joined.Meta.Repaired);
        Assert.True(left.Meta.Repaired);
        Assert.Equal("group:g_1", joined.Meta.Subject);
        Assert.Equal("Public", joined.Data.Type);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_772_000_003), joined.Meta.Time);
        Assert.Equal(2, report.Count(RepairOutcome.Repaired));
        Assert.Equal(["group g_1 joined u_5, u_6", "group g_1 left u_2"], report.MissingItems);
        Assert.Equal(1, report.Calls[ImApi.GetGroupMemberInfo.ToString()]);
        Assert.Equal(1, report.Calls[ImApi.GetGroupInfo.ToString()]);

        // Until the relay has relayed them, a second look publishes the same events again, under the same ids.
        var early = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);
        Assert.Equal(2, early.Count(RepairOutcome.Repaired));
        Assert.Equal([joined.Meta.Id, left.Meta.Id], _published.Events.Skip(2).Select(e => e.Meta.Id));

        // Relayed (the relay records each in the baseline), IM's state is the baseline's: nothing more to repair.
        await _baseline.SeenAsync(joined.Meta.Id, joined.Data);
        await _baseline.SeenAsync(left.Meta.Id, left.Data);
        var again = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);
        Assert.Equal(0, again.Total);
        Assert.Equal(4, _published.Events.Count);
    }

    [Fact]
    public async Task Two_replicas_comparing_the_same_state_build_the_same_event_ids()
    {
        var other = new InMemoryKeyValueStore(_time);
        var otherPublished = new RecordingPublisher();
        await CreatedAsync();
        await CreatedAsync(other);
        ImHas("u_1", "u_2", "u_7");
        _im.Name = "Renamed";

        await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(3));
        await Repairer(other, otherPublished).RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        Assert.Equal(3, _published.Events.Count);
        Assert.Equal(_published.Events.Select(e => e.Meta.Id), otherPublished.Events.Select(e => e.Meta.Id));
    }

    [Fact]
    public async Task A_second_exit_after_a_rejoin_gets_another_id()
    {
        await CreatedAsync();
        ImHas("u_1", "u_3");
        await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);
        await _baseline.SeenAsync("rejoin", new GroupMembersJoinedData(Group, ["u_2"]));

        await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        var exits = _published.Events.OfType<ImGroupMembersLeft>().ToList();
        Assert.Equal(2, exits.Count);
        Assert.NotEqual(exits[0].Meta.Id, exits[1].Meta.Id);
    }

    [Fact]
    public async Task A_changed_profile_field_becomes_one_repaired_change_with_only_that_field_and_fields_never_relayed_are_recorded_silently()
    {
        await CreatedAsync();
        await _baseline.SeenAsync("intro", new GroupProfileChangedData(Group, Introduction: "hello"));
        ImHas("u_1", "u_2", "u_3");
        _im.Name = "Team 2";
        _im.Introduction = "hello";
        _im.Notification = "read the rules";

        var report = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        var changed = Assert.IsType<ImGroupProfileChanged>(Assert.Single(_published.Events));
        Assert.Equal(new GroupProfileChangedData(Group, "Public", Name: "Team 2"), changed.Data);
        Assert.True(changed.Meta.Repaired);
        Assert.Equal(["group g_1 profile name"], report.MissingItems);

        // Known now: a later change of the notification is repaired.
        _im.Notification = "new rules";
        await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);
        Assert.Equal("new rules", Assert.IsType<ImGroupProfileChanged>(_published.Events[1]).Data.Notification);
    }

    [Fact]
    public async Task What_the_relay_or_the_gateways_own_writes_saw_is_no_drift()
    {
        await CreatedAsync();
        await _baseline.SeenAsync("join", new GroupMembersJoinedData(Group, ["u_4"]));
        await _baseline.SeenAsync("exit", new GroupMembersLeftData(Group, ["u_3"]));
        await _baseline.SeenAsync("rename", new GroupProfileChangedData(Group, Name: "Team 2"));
        ImHas("u_1", "u_2", "u_4");
        _im.Name = "Team 2";

        var report = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        Assert.Empty(_published.Events);
        Assert.Equal(0, report.Total);
    }

    [Fact]
    public async Task A_group_without_a_baseline_gets_IMs_state_recorded_and_nothing_published()
    {
        // A join relayed for a group first seen mid-history: its member set is not whole.
        await _baseline.SeenAsync("join", new GroupMembersJoinedData(Group, ["u_9"]));
        ImHas("u_1", "u_2", "u_9");

        var first = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);
        ImHas("u_1", "u_9");
        var second = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        Assert.Equal(0, first.Total);
        Assert.Equal(["u_2"], Assert.IsType<ImGroupMembersLeft>(Assert.Single(_published.Events)).Data.Members);
        Assert.Equal(1, second.Count(RepairOutcome.Repaired));
    }

    [Fact]
    public async Task A_dry_run_reports_missing_and_changes_nothing()
    {
        await CreatedAsync();
        ImHas("u_1", "u_2", "u_3", "u_5");

        var dry = await Repairer().RepairAsync(new GroupRef(Group), dryRun: true, CancellationToken.None);
        var real = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        Assert.Equal(1, dry.Count(RepairOutcome.Missing));
        Assert.Equal(["group g_1 joined u_5"], dry.MissingItems);
        Assert.Equal(1, real.Count(RepairOutcome.Repaired));
        Assert.Single(_published.Events);
    }

    [Fact]
    public async Task An_event_the_relay_delivered_already_is_not_published_again()
    {
        await CreatedAsync();
        ImHas("u_1", "u_2", "u_3", "u_5");
        await Repairer().RepairAsync(new GroupRef(Group), dryRun: true, CancellationToken.None);
        var probe = new RecordingPublisher();
        var other = new InMemoryKeyValueStore(_time);
        await CreatedAsync(other);
        await Repairer(other, probe).RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);
        await _store.SetAsync(RedisKeys.Done(RelayDirection.ImToLegacy, probe.Events.Single().Meta.Id), TimeSpan.FromHours(1));

        var report = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        Assert.Equal(1, report.Count(RepairOutcome.AlreadyRelayed));
        Assert.Empty(_published.Events);
    }

    [Fact]
    public async Task A_group_gone_from_IM_loses_its_baseline()
    {
        await CreatedAsync();
        _im.Gone = true;

        var report = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        Assert.Equal(0, report.Total);
        Assert.Null(await _baseline.GetAsync(Group));
    }

    [Fact]
    public async Task A_dismissal_drops_the_baseline_and_nothing_is_tracked_with_the_repair_off()
    {
        await CreatedAsync();
        await _baseline.SeenAsync("dismissed", new GroupDismissedData(Group));
        var off = TestRepair.Baseline(_store, on: false);
        await off.SeenAsync("created", new GroupCreatedData(Group, "Public", "Team", "u_1"));

        Assert.Null(await _baseline.GetAsync(Group));
    }

    [Fact]
    public async Task Members_are_read_page_by_page()
    {
        await CreatedAsync();
        ImHas([.. Enumerable.Range(1, GetGroupMemberInfoRequest.MaxLimit + 2).Select(i => $"u_{i}")]);

        var report = await Repairer().RepairAsync(new GroupRef(Group), dryRun: false, CancellationToken.None);

        Assert.Equal(2, report.Calls[ImApi.GetGroupMemberInfo.ToString()]);
        Assert.Equal(GetGroupMemberInfoRequest.MaxLimit + 2 - 3, Assert.IsType<ImGroupMembersJoined>(Assert.Single(_published.Events)).Data.Members.Count);
    }

    [Fact]
    public async Task A_topic_compares_its_communitys_state()
    {
        await CreatedAsync();
        ImHas("u_1", "u_2", "u_3", "u_8");

        await Repairer().RepairAsync(new GroupRef(Group, "topic_1"), dryRun: false, CancellationToken.None);

        Assert.Equal("group:g_1", Assert.Single(_published.Events).Meta.Subject);
        Assert.Equal(Group, _im.AskedFor.Distinct().Single());
    }

    /// <summary>IM's side of one group as <c>get_group_info</c> and <c>get_group_member_info</c> answer it.</summary>
    private sealed class GroupStateIm : IImRestClient
    {
        public Dictionary<string, long> Members { get; } = new(StringComparer.Ordinal);

        public string Name { get; set; } = "Team";

        public string Introduction { get; set; } = "";

        public string Notification { get; set; } = "";

        public bool Gone { get; set; }

        public List<string> AskedFor { get; } = [];

        public Task<JsonElement> CallAsync(ImApi api, object body, CancellationToken cancellationToken)
        {
            var request = JsonSerializer.SerializeToElement(body, body.GetType());
            if (api == ImApi.GetGroupInfo)
            {
                var groupId = request.GetProperty("GroupIdList")[0].GetString()!;
                AskedFor.Add(groupId);
                return Answer(new
                {
                    ErrorCode = 0,
                    GroupInfo = new object[]
                    {
                        Gone
                            ? new { GroupId = groupId, ErrorCode = 10010 }
                            : new { GroupId = groupId, ErrorCode = 0, Type = "Public", Name, Introduction, Notification, FaceUrl = "", InfoSeq = 3 },
                    },
                });
            }
            if (api == ImApi.GetGroupMemberInfo)
            {
                AskedFor.Add(request.GetProperty("GroupId").GetString()!);
                if (Gone)
                {
                    throw new ImPermanentException(api, 10010, "group dismissed");
                }
                var page = Members.Skip(request.GetProperty("Offset").GetInt32()).Take(request.GetProperty("Limit").GetInt32())
                    .Select(m => new { Member_Account = m.Key, JoinTime = m.Value });
                return Answer(new { ErrorCode = 0, MemberNum = Members.Count, MemberList = page.ToList() });
            }
            throw new InvalidOperationException($"unexpected IM call {api}");
        }

        private static Task<JsonElement> Answer(object answer) => Task.FromResult(JsonSerializer.SerializeToElement(answer));
    }

    private sealed class RecordingPublisher : IEventPublisher
    {
        public List<ISyncEvent> Events { get; } = [];

        public Task PublishAsync(ISyncEvent message, CancellationToken cancellationToken)
        {
            Events.Add(message);
            return Task.CompletedTask;
        }
    }
}
