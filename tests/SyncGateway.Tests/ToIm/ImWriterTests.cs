using System.Text.Json;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.Tests.Support;
using SyncGateway.ToIm;

namespace SyncGateway.Tests.ToIm;

public sealed class ImWriterTests
{
    private static readonly DateTimeOffset EventTime = new(2025, 1, 15, 15, 0, 0, 250, TimeSpan.Zero);

    private const string Forbid = """["ForbidBeforeSendMsgCallback", "ForbidAfterSendMsgCallback"]""";

    private readonly ManualTimeProvider _time = new(EventTime.AddSeconds(2));
    private readonly SyncOptions _sync = new();
    private readonly ImOptions _im = new();
    private readonly ToImOptions _toIm = new();
    private readonly ConsumeContext _context = Substitute.For<ConsumeContext>();
    private readonly ScriptedImClient _client = new();
    private readonly InMemoryKeyValueStore _store;
    private readonly OriginTags _tags;

    public ImWriterTests()
    {
        _store = new InMemoryKeyValueStore(_time);
        _tags = new OriginTags(_store, Options.Create(_sync));
    }

    [Fact]
    public async Task A_c2c_message_is_sent_with_ids_derived_from_the_legacy_event()
    {
        await Writer().ApplyAsync(_context, C2C("lg-c2c-1"));

        AssertCall(ImApi.SendMsg, $$"""
            {
              "SyncOtherMachine": 1,
              "From_Account": "u_1",
              "To_Account": "u_2",
              "MsgSeq": 1786412666,
              "MsgRandom": 3762148209,
              "MsgBody": [ { "MsgType": "TIMTextElem", "MsgContent": { "Text": "See you at 7?" } } ],
              "CloudCustomData": "{\"app\":\"legacy\"}",
              "ForbidCallbackControl": {{Forbid}}
            }
            """);
    }

    [Fact]
    public async Task A_c2c_message_asks_for_callbacks_when_forbidding_them_is_off()
    {
        _im.ForbidCallbacksOnSend = false;

        await Writer().ApplyAsync(_context, C2C("lg-c2c-1"));

        Assert.Null(Assert.Single(_client.Calls).Body["ForbidCallbackControl"]);
    }

    [Fact]
    public async Task A_group_message_is_sent_with_a_random_derived_from_the_legacy_message_id()
    {
        var evt = new LegacyGroupMessageSent(Meta(EventTypes.LegacyGroupMessageSent, "lg-gm-1", "group:g_42"),
            new GroupMessageData("g_42", "u_3", [Text("Deploy done")], Mentions: [new GroupMention(true, null), new GroupMention(false, "u_4")],
                LegacyMessageId: "G-99120"));

        await Writer().ApplyAsync(_context, evt);

        AssertCall(ImApi.SendGroupMsg, $$"""
            {
              "GroupId": "g_42",
              "From_Account": "u_3",
              "Random": {{ImIds.RandomFor("G-99120")}},
              "MsgBody": [ { "MsgType": "TIMTextElem", "MsgContent": { "Text": "Deploy done" } } ],
              "GroupAtInfo": [ { "GroupAtAllFlag": 1 }, { "GroupAtAllFlag": 0, "GroupAt_Account": "u_4" } ],
              "ForbidCallbackControl": {{Forbid}}
            }
            """);
    }

    [Fact]
    public async Task A_created_group_is_created_with_its_owner_members_and_custom_fields()
    {
        var evt = new LegacyGroupCreated(Meta(EventTypes.LegacyGroupCreated, "lg-gc-1", "group:g_42"),
            new GroupCreatedData("g_42", "Public", "Ops team", Owner: "u_1", Members: ["u_1", "u_2", "u_3"],
                CustomFields: [new CustomField("legacy_room", "room-88")]));

        await Writer().ApplyAsync(_context, evt);

        AssertCall(ImApi.CreateGroup, """
            {
              "Owner_Account": "u_1",
              "Type": "Public",
              "GroupId": "g_42",
              "Name": "Ops team",
              "MemberList": [ { "Member_Account": "u_2" }, { "Member_Account": "u_3" } ],
              "AppDefinedData": [ { "Key": "legacy_room", "Value": "room-88" } ]
            }
            """);
    }

    [Theory]
    [InlineData("Work", "Private")]
    [InlineData("Meeting", "ChatRoom")]
    [InlineData("AVChatRoom", "AVChatRoom")]
    public async Task A_created_group_uses_the_group_type_literals_REST_documents(string legacyType, string imType)
    {
        await Writer().ApplyAsync(_context, new LegacyGroupCreated(Meta(EventTypes.LegacyGroupCreated, "lg-gc-1", "group:g_42"),
            new GroupCreatedData("g_42", legacyType, "Ops team")));

        Assert.Equal(imType, (string?)Assert.Single(_client.Calls).Body["Type"]);
    }

    [Fact]
    public async Task A_dismissed_group_is_destroyed()
    {
        await Writer().ApplyAsync(_context, Dismissed("lg-gd-1"));

        AssertCall(ImApi.DestroyGroup, """{ "GroupId": "g_42" }""");
    }

    [Fact]
    public async Task A_profile_change_modifies_only_the_changed_fields()
    {
        var evt = new LegacyGroupProfileChanged(Meta(EventTypes.LegacyGroupProfileChanged, "lg-gp-1", "group:g_42"),
            new GroupProfileChangedData("g_42", Operator: "u_1", Name: "Ops", Notification: "On-call rota updated",
                CustomFields: [new CustomField("level", "2")]));

        await Writer().ApplyAsync(_context, evt);

        AssertCall(ImApi.ModifyGroupBaseInfo, """
            {
              "GroupId": "g_42",
              "Name": "Ops",
              "Notification": "On-call rota updated",
              "AppDefinedData": [ { "Key": "level", "Value": "2" } ]
            }
            """);
    }

    [Fact]
    public async Task Joined_members_are_added()
    {
        await Writer().ApplyAsync(_context, Joined("lg-gj-1", "u_3", "u_4"));

        AssertCall(ImApi.AddGroupMember, """
            { "GroupId": "g_42", "MemberList": [ { "Member_Account": "u_3" }, { "Member_Account": "u_4" } ] }
            """);
    }

    [Fact]
    public async Task Members_that_left_are_deleted()
    {
        var evt = new LegacyGroupMembersLeft(Meta(EventTypes.LegacyGroupMembersLeft, "lg-gl-1", "group:g_42"),
            new GroupMembersLeftData("g_42", ["u_4", "u_5"], ExitType: "Quit"));

        await Writer().ApplyAsync(_context, evt);

        AssertCall(ImApi.DeleteGroupMember, """{ "GroupId": "g_42", "MemberToDel_Account": ["u_4", "u_5"] }""");
    }

    [Fact]
    public async Task Member_changes_are_silent_when_configured()
    {
        _toIm.SilentMemberChanges = true;

        await Writer().ApplyAsync(_context, Joined("lg-gj-1", "u_3"));

        Assert.Equal(1, (int?)Assert.Single(_client.Calls).Body["Silence"]);
    }

    [Fact]
    public async Task Applies_an_event_that_arrives_twice_once()
    {
        var writer = Writer();

        await writer.ApplyAsync(_context, C2C("lg-c2c-1"));
        await writer.ApplyAsync(_context, C2C("lg-c2c-1"));

        Assert.Single(_client.Calls);
    }

    [Fact]
    public async Task A_retried_send_reuses_the_same_MsgSeq_and_MsgRandom_and_tags_once()
    {
        _client.Throwing(new ImTransientException(ImApi.SendMsg, 60008, "request timed out"));
        var writer = Writer();

        await Assert.ThrowsAsync<ImTransientException>(() => writer.ApplyAsync(_context, C2C("lg-c2c-1")));
        await writer.ApplyAsync(_context, C2C("lg-c2c-1"));

        Assert.Equal(2, _client.Calls.Count);
        Assert.True(JsonNode.DeepEquals(_client.Calls[0].Body, _client.Calls[1].Body));
        var echo = EchoOf(C2C("lg-c2c-1").Data);
        Assert.Equal([true], await _tags.TakeImEchoesAsync("im-1", "c2c:u_1:u_2", ImParts(echo)));
        Assert.Equal([false], await _tags.TakeImEchoesAsync("im-2", "c2c:u_1:u_2", ImParts(echo)));
    }

    [Fact]
    public async Task A_group_message_IM_dropped_is_retried_with_the_same_Random()
    {
        _client.Answering("""{ "ActionStatus": "OK", "ErrorCode": 0, "MsgDropReason": "MsgFreqCtrl" }""",
            """{ "ActionStatus": "OK", "ErrorCode": 0, "MsgSeq": 42, "MsgDropReason": "" }""");
        var evt = new LegacyGroupMessageSent(Meta(EventTypes.LegacyGroupMessageSent, "lg-gm-1", "group:g_42"),
            new GroupMessageData("g_42", "u_3", [Text("Deploy done")]));
        var writer = Writer();

        var dropped = await Assert.ThrowsAsync<ImTransientException>(() => writer.ApplyAsync(_context, evt));
        await writer.ApplyAsync(_context, evt);
        await writer.ApplyAsync(_context, evt);

        Assert.Contains("MsgFreqCtrl", dropped.Message, StringComparison.Ordinal);
        Assert.Equal([847432669u, 847432669u], _client.Calls.Select(c => (uint)c.Body["Random"]!));
    }

    [Fact]
    public async Task Members_already_in_the_group_or_awaiting_approval_count_as_added()
    {
        _client.Answering("""
            { "ActionStatus": "OK", "ErrorCode": 0, "MemberList": [
              { "Member_Account": "u_3", "Result": 1 }, { "Member_Account": "u_4", "Result": 2 }, { "Member_Account": "u_5", "Result": 3 } ] }
            """);
        var writer = Writer();

        await writer.ApplyAsync(_context, Joined("lg-gj-1", "u_3", "u_4", "u_5"));
        await writer.ApplyAsync(_context, Joined("lg-gj-1", "u_3", "u_4", "u_5"));

        Assert.Single(_client.Calls);
    }

    [Fact]
    public async Task A_member_IM_did_not_add_fails_permanently_naming_the_member()
    {
        const string notAdded = """
            { "ActionStatus": "OK", "ErrorCode": 0, "MemberList": [
              { "Member_Account": "u_3", "Result": 1 }, { "Member_Account": "u_4", "Result": 0 } ] }
            """;
        _client.Answering(notAdded, "{}", notAdded);

        var failure = await Assert.ThrowsAsync<PermanentFailureException>(() => Writer().ApplyAsync(_context, Joined("lg-gj-1", "u_3", "u_4")));

        Assert.Contains("u_4 (Result 0)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("g_42", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("u_3", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Joins_are_added_in_batches_after_every_member_is_tagged()
    {
        _toIm.AddMembersBatchSize = 20;
        var members = Enumerable.Range(1, 45).Select(i => $"u_{i}").ToArray();
        var tagged = new List<bool>();
        _client.OnCall = async _ => tagged.Add(await _store.ExistsAsync(RedisKeys.ImEcho("group:g_42", "grp:join:g_42:u_45")));

        await Writer().ApplyAsync(_context, Joined("lg-gj-1", members));

        Assert.Equal([20, 20, 5], _client.Calls.Select(c => c.Body["MemberList"]!.AsArray().Count));
        Assert.Equal([true, true, true], tagged);
    }

    [Fact]
    public async Task A_retry_after_a_failed_batch_repeats_the_batches()
    {
        _toIm.AddMembersBatchSize = 2;
        _client.Answering(AddedAll("u_1", "u_2")).Throwing(new ImTransientException(ImApi.AddGroupMember, 10002, "internal error"))
            .Answering(AlreadyMembers("u_1", "u_2"), AddedAll("u_3"));
        var writer = Writer();

        await Assert.ThrowsAsync<ImTransientException>(() => writer.ApplyAsync(_context, Joined("lg-gj-1", "u_1", "u_2", "u_3")));
        await writer.ApplyAsync(_context, Joined("lg-gj-1", "u_1", "u_2", "u_3"));

        Assert.Equal(["u_1,u_2", "u_3", "u_1,u_2", "u_3"], _client.Calls.Select(c =>
            string.Join(',', c.Body["MemberList"]!.AsArray().Select(m => (string?)m!["Member_Account"]))));
    }

    [Fact]
    public async Task A_group_id_already_ours_counts_as_created()
    {
        _client.Answering("""{ "ActionStatus": "FAIL", "ErrorCode": 10025, "ErrorInfo": "group id has been used" }""");
        var writer = Writer();
        var evt = new LegacyGroupCreated(Meta(EventTypes.LegacyGroupCreated, "lg-gc-1", "group:g_42"), new GroupCreatedData("g_42", "Public", "Ops"));

        await writer.ApplyAsync(_context, evt);
        await writer.ApplyAsync(_context, evt);

        Assert.Single(_client.Calls);
    }

    [Fact]
    public async Task A_group_id_taken_by_someone_else_fails_permanently()
    {
        _client.Answering("""{ "ActionStatus": "FAIL", "ErrorCode": 10021, "ErrorInfo": "group id has been used" }""");

        var failure = await Assert.ThrowsAsync<ImPermanentException>(() => Writer().ApplyAsync(_context,
            new LegacyGroupCreated(Meta(EventTypes.LegacyGroupCreated, "lg-gc-1", "group:g_42"), new GroupCreatedData("g_42", "Public", "Ops"))));

        Assert.Equal(10021, failure.ErrorCode);
    }

    [Fact]
    public async Task Destroying_a_group_that_is_already_gone_counts_as_done()
    {
        _client.Answering("""{ "ActionStatus": "FAIL", "ErrorCode": 10010, "ErrorInfo": "group does not exist" }""");
        var writer = Writer();

        await writer.ApplyAsync(_context, Dismissed("lg-gd-1"));
        await writer.ApplyAsync(_context, Dismissed("lg-gd-1"));

        Assert.Single(_client.Calls);
    }

    [Fact]
    public async Task Tags_the_IM_echo_before_calling_IM()
    {
        var evt = C2C("lg-c2c-1");
        var echoKey = RedisKeys.ImEcho(evt.Meta.Subject, Assert.Single(ImParts(EchoOf(evt.Data))));
        bool? taggedAtCall = null;
        _client.OnCall = async _ => taggedAtCall = await _store.ExistsAsync(echoKey);

        await Writer().ApplyAsync(_context, evt);

        Assert.True(taggedAtCall);
    }

    [Fact]
    public async Task Expects_join_echoes_for_the_initial_members_of_a_created_group()
    {
        await Writer().ApplyAsync(_context, new LegacyGroupCreated(Meta(EventTypes.LegacyGroupCreated, "lg-gc-1", "group:g_42"),
            new GroupCreatedData("g_42", "Public", "Ops", Owner: "u_1", Members: ["u_2", "u_3"])));

        Assert.Equal([true], await _tags.TakeImEchoesAsync("im-1", "group:g_42", ImParts(new GroupCreatedData("g_42", "Public", "Ops"))));
        Assert.Equal([true, true, true], await _tags.TakeImEchoesAsync("im-2", "group:g_42", ImParts(new GroupMembersJoinedData("g_42", ["u_1", "u_2", "u_3"]))));
    }

    [Fact]
    public async Task Adds_the_initial_members_create_group_cannot_take_right_after()
    {
        _toIm.CreateGroupMembersLimit = 2;

        await Writer().ApplyAsync(_context, new LegacyGroupCreated(Meta(EventTypes.LegacyGroupCreated, "lg-gc-1", "group:g_42"),
            new GroupCreatedData("g_42", "Public", "Ops", Members: ["u_2", "u_3", "u_4"])));

        Assert.Equal([ImApi.CreateGroup, ImApi.AddGroupMember], _client.Calls.Select(c => c.Api));
        Assert.Equal(2, _client.Calls[0].Body["MemberList"]!.AsArray().Count);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[ { "Member_Account": "u_4" } ]"""), _client.Calls[1].Body["MemberList"]));
    }

    [Fact]
    public async Task Does_not_apply_a_delta_that_names_a_relayed_event_in_syncorigin()
    {
        var relayed = C2C("lg-0").Data;
        await _tags.ExpectLegacyEchoesAsync("im-1", "c2c:u_1:u_2", LegacyParts(relayed));

        await Writer().ApplyAsync(_context, C2C("lg-echo", syncOrigin: "im-1"));
        await Writer().ApplyAsync(_context, C2C("lg-untagged-echo", syncOrigin: "im-expired"));

        Assert.Empty(_client.Calls);
        Assert.Equal([false, false], await _store.TakeOnceAsync("probe",
            [RedisKeys.LegacyOrigin("c2c:u_1:u_2", "im-1"), .. LegacyParts(relayed).Select(part => RedisKeys.LegacyEcho("c2c:u_1:u_2", part))], TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_fingerprint_suppresses_one_echo_and_the_next_identical_delta_is_applied()
    {
        var relayed = C2C("lg-0").Data with { MsgRandom = 1850291734, MsgKey = "517364_1850291734_1736920800" };
        await _tags.ExpectLegacyEchoesAsync("im-1", "c2c:u_1:u_2", LegacyParts(relayed));
        var writer = Writer();

        await writer.ApplyAsync(_context, C2C("lg-echo"));
        Assert.Empty(_client.Calls);

        await writer.ApplyAsync(_context, C2C("lg-genuine"));
        var call = Assert.Single(_client.Calls);
        Assert.Equal(ImIds.RandomFor("lg-genuine"), (uint)call.Body["MsgRandom"]!);
    }

    [Fact]
    public async Task Adds_only_the_members_that_are_not_echoes()
    {
        await _tags.ExpectLegacyEchoesAsync("im-1", "group:g_42", LegacyParts(new GroupMembersJoinedData("g_42", ["u_4"])));

        await Writer().ApplyAsync(_context, Joined("lg-gj-1", "u_3", "u_4", "u_5"));

        AssertCall(ImApi.AddGroupMember, """
            { "GroupId": "g_42", "MemberList": [ { "Member_Account": "u_3" }, { "Member_Account": "u_5" } ] }
            """);
    }

    [Fact]
    public async Task A_profile_change_without_changed_fields_calls_nothing()
    {
        var writer = Writer();
        var evt = new LegacyGroupProfileChanged(Meta(EventTypes.LegacyGroupProfileChanged, "lg-gp-1", "group:g_42"),
            new GroupProfileChangedData("g_42", Type: "Public"));

        await writer.ApplyAsync(_context, evt);

        Assert.Empty(_client.Calls);
    }

    [Fact]
    public async Task Messages_sent_before_the_import_cut_off_are_not_written_again()
    {
        _sync.ImportCutoff = "1736953200";
        var writer = Writer();
        var imported = C2C("lg-old");
        var live = C2C("lg-new");

        await writer.ApplyAsync(_context, imported with { Data = imported.Data with { MsgTime = 1736953199 } });
        await writer.ApplyAsync(_context, new LegacyGroupMessageSent(Meta(EventTypes.LegacyGroupMessageSent, "lg-gm-old", "group:g_42") with
        {
            Time = new DateTimeOffset(2025, 1, 15, 14, 59, 59, TimeSpan.Zero),
        }, new GroupMessageData("g_42", "u_3", [Text("old")])));
        await writer.ApplyAsync(_context, live with { Data = live.Data with { MsgTime = 1736953200 } });
        await writer.ApplyAsync(_context, Joined("lg-gj-old", "u_3"));

        Assert.Equal([ImApi.SendMsg, ImApi.AddGroupMember], _client.Calls.Select(c => c.Api));
        Assert.Equal(ImIds.RandomFor("lg-new"), (uint)_client.Calls[0].Body["MsgRandom"]!);
    }

    [Theory]
    [InlineData("1736953200")]
    [InlineData("2025-01-15T15:00:00Z")]
    [InlineData("2025-01-15T23:00:00+08:00")]
    public void The_import_cut_off_reads_unix_seconds_and_ISO_8601(string value)
        => Assert.Equal(new DateTimeOffset(2025, 1, 15, 15, 0, 0, TimeSpan.Zero), SyncOptions.ParseCutoff(value));

    [Fact]
    public void An_unreadable_import_cut_off_is_no_time()
        => Assert.Null(SyncOptions.ParseCutoff("yesterday"));

    [Fact]
    public async Task A_c2c_message_gets_its_MsgRandom_from_its_legacy_message_id_when_it_has_one()
    {
        await Writer().ApplyAsync(_context, C2C("lg-c2c-1", legacyMessageId: "L-77812"));

        Assert.Equal(ImIds.RandomFor("L-77812"), (uint)Assert.Single(_client.Calls).Body["MsgRandom"]!);
    }

    [Fact]
    public async Task Records_a_c2c_message_in_the_ledger_with_the_MsgKey_IM_answered()
    {
        _client.Answering("""{ "ActionStatus": "OK", "ErrorCode": 0, "MsgTime": 1736953200, "MsgKey": "1786412666_123_1736953200" }""");

        await Writer().ApplyAsync(_context, C2C("lg-c2c-1", legacyMessageId: "L-77812"));

        var ledger = new MessageLedger(_store, Options.Create(new LedgerOptions()));
        var expected = new LedgerEntry("L-77812", MessageOrigin.Legacy, "u_1", "u_2", MsgKey: "1786412666_123_1736953200", MsgTime: 1736953200,
            MsgRandom: ImIds.RandomFor("L-77812"));
        Assert.Equal(expected, await ledger.FindByLegacyIdAsync("L-77812"));
        Assert.Equal(expected, await ledger.FindByMsgKeyAsync("1786412666_123_1736953200"));
    }

    [Fact]
    public async Task Records_a_group_message_in_the_ledger_with_the_MsgSeq_IM_answered_under_the_event_id_when_it_has_no_legacy_id()
    {
        _client.Answering("""{ "ActionStatus": "OK", "ErrorCode": 0, "MsgTime": 1736953200, "MsgSeq": 42, "MsgDropReason": "" }""");

        await Writer().ApplyAsync(_context, new LegacyGroupMessageSent(Meta(EventTypes.LegacyGroupMessageSent, "lg-gm-1", "group:g_42"),
            new GroupMessageData("g_42", "u_3", [Text("Deploy done")])));

        var ledger = new MessageLedger(_store, Options.Create(new LedgerOptions()));
        var expected = new LedgerEntry("lg-gm-1", MessageOrigin.Legacy, "u_3", GroupId: "g_42", MsgSeq: 42, MsgTime: 1736953200);
        Assert.Equal(expected, await ledger.FindByLegacyIdAsync("lg-gm-1"));
        Assert.Equal(expected, await ledger.FindByGroupSeqAsync("g_42", 42));
    }

    [Fact]
    public async Task A_message_IM_has_counts_as_applied_when_its_ledger_entry_cannot_be_written()
    {
        var store = Substitute.For<IKeyValueStore>();
        store.ExistsAsync(Arg.Any<string>()).Returns(false);
        store.TakeOnceAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<string>>(), Arg.Any<TimeSpan>())
            .Returns(call => (IReadOnlyList<bool>)[.. call.Arg<IReadOnlyList<string>>().Select(_ => false)]);
        store.GetValueAsync(Arg.Any<string>()).Returns((string?)null);
        store.SetValueAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<TimeSpan>(), Arg.Any<bool>())
            .ThrowsAsync(new TimeoutException("Redis did not answer"));
        _client.Answering("""{ "ActionStatus": "OK", "ErrorCode": 0, "MsgTime": 1736953200, "MsgKey": "1_2_1736953200" }""");

        await Writer(store).ApplyAsync(_context, C2C("lg-c2c-1"));

        Assert.Single(_client.Calls);
        await store.Received().SetAsync(RedisKeys.Done(RelayDirection.LegacyToIm, "lg-c2c-1"), Arg.Any<TimeSpan>());
    }

    [Fact]
    public async Task A_new_account_is_imported_with_its_nick_and_face_url()
    {
        var evt = new LegacyAccountCreated(Meta(EventTypes.LegacyAccountCreated, "lg-acct-1", "user:u_9"),
            new AccountCreatedData("u_9", "Ana", "https://cdn.example.com/a/9.png"));

        await Writer().ApplyAsync(_context, evt);

        AssertCall(ImApi.AccountImport, """{ "UserID": "u_9", "Nick": "Ana", "FaceUrl": "https://cdn.example.com/a/9.png" }""");
    }

    [Fact]
    public async Task Imports_the_accounts_of_a_message_IM_does_not_know_and_sends_it_once_more()
    {
        _client.Answering("""{ "ActionStatus": "FAIL", "ErrorCode": 20003, "ErrorInfo": "invalid account" }""");

        await Writer().ApplyAsync(_context, C2C("lg-c2c-1"));

        Assert.Equal([ImApi.SendMsg, ImApi.AccountImport, ImApi.AccountImport, ImApi.SendMsg], _client.Calls.Select(c => c.Api));
        Assert.Equal(["u_1", "u_2"], _client.Calls.Where(c => c.Api == ImApi.AccountImport).Select(c => (string)c.Body["UserID"]!));
        Assert.True(JsonNode.DeepEquals(_client.Calls[0].Body, _client.Calls[3].Body));
    }

    [Fact]
    public async Task Imports_the_sender_of_a_group_message_IM_does_not_know()
    {
        _client.Answering("""{ "ActionStatus": "FAIL", "ErrorCode": 10019, "ErrorInfo": "From_Account does not exist" }""");

        await Writer().ApplyAsync(_context, new LegacyGroupMessageSent(Meta(EventTypes.LegacyGroupMessageSent, "lg-gm-1", "group:g_42"),
            new GroupMessageData("g_42", "u_new", [Text("hello")])));

        Assert.Equal([ImApi.SendGroupMsg, ImApi.AccountImport, ImApi.SendGroupMsg], _client.Calls.Select(c => c.Api));
        Assert.Equal("u_new", (string)_client.Calls[1].Body["UserID"]!);
    }

    [Fact]
    public async Task Imports_the_members_IM_did_not_add_and_adds_them_once_more()
    {
        _client.Answering(
            """{ "ActionStatus": "OK", "ErrorCode": 0, "MemberList": [ { "Member_Account": "u_3", "Result": 1 }, { "Member_Account": "u_new", "Result": 0 } ] }""",
            "{}",
            """{ "ActionStatus": "OK", "ErrorCode": 0, "MemberList": [ { "Member_Account": "u_3", "Result": 2 }, { "Member_Account": "u_new", "Result": 1 } ] }""");

        await Writer().ApplyAsync(_context, Joined("lg-gj-1", "u_3", "u_new"));

        Assert.Equal([ImApi.AddGroupMember, ImApi.AccountImport, ImApi.AddGroupMember], _client.Calls.Select(c => c.Api));
        Assert.Equal("u_new", (string)_client.Calls[1].Body["UserID"]!);
    }

    [Fact]
    public async Task Imports_the_owner_and_members_of_a_group_IM_does_not_know_and_creates_it_once_more()
    {
        _client.Answering("""{ "ActionStatus": "FAIL", "ErrorCode": 10019, "ErrorInfo": "member account does not exist" }""");
        var evt = new LegacyGroupCreated(Meta(EventTypes.LegacyGroupCreated, "lg-gc-1", "group:g_42"),
            new GroupCreatedData("g_42", "Public", "Ops", Owner: "u_1", Members: ["u_2", "u_new"]));

        await Writer().ApplyAsync(_context, evt);

        Assert.Equal([ImApi.CreateGroup, ImApi.AccountImport, ImApi.AccountImport, ImApi.AccountImport, ImApi.CreateGroup], _client.Calls.Select(c => c.Api));
        Assert.Equal(["u_1", "u_2", "u_new"], _client.Calls.Where(c => c.Api == ImApi.AccountImport).Select(c => (string)c.Body["UserID"]!));
    }

    [Fact]
    public async Task Faults_when_IM_still_does_not_know_an_account_after_importing_it()
    {
        const string missing = """{ "ActionStatus": "FAIL", "ErrorCode": 90012, "ErrorInfo": "To_Account not registered" }""";
        _client.Answering(missing, "{}", "{}", missing);

        var failure = await Assert.ThrowsAsync<ImPermanentException>(() => Writer().ApplyAsync(_context, C2C("lg-c2c-1")));

        Assert.Equal(90012, failure.ErrorCode);
        Assert.Equal(4, _client.Calls.Count);
    }

    [Fact]
    public async Task Faults_without_importing_when_importing_missing_accounts_is_off()
    {
        _toIm.ImportMissingAccounts = false;
        _client.Answering("""{ "ActionStatus": "FAIL", "ErrorCode": 20003, "ErrorInfo": "invalid account" }""");

        await Assert.ThrowsAsync<ImPermanentException>(() => Writer().ApplyAsync(_context, C2C("lg-c2c-1")));

        Assert.Equal([ImApi.SendMsg], _client.Calls.Select(c => c.Api));
    }

    [Fact]
    public async Task Fails_without_calling_IM_when_the_store_is_unreachable()
    {
        var store = Substitute.For<IKeyValueStore>();
        store.ExistsAsync(Arg.Any<string>()).ThrowsAsync(new TimeoutException("Redis did not answer"));
        store.ListLengthAsync(Arg.Any<string>()).ThrowsAsync(new TimeoutException("Redis did not answer"));
        store.HashSetAsync(Arg.Any<string>(), Arg.Any<IReadOnlyCollection<KeyValuePair<string, string>>>(), Arg.Any<TimeSpan>()).ThrowsAsync(new TimeoutException("Redis did not answer"));
        // Straight to parking, which needs the store too: the consumer fails and its retry redelivers later.
        _sync.ParkAfterSeconds = 0;
        var writer = Writer(store);
        var consumer = new ApplyToIm<LegacyC2CMessageSent, C2CMessageData>(writer.Steps, writer.Writer, Declarations.Of<C2CMessageData>());
        var context = Substitute.For<ConsumeContext<LegacyC2CMessageSent>>();
        context.Message.Returns(C2C("lg-c2c-1"));

        await Assert.ThrowsAsync<TimeoutException>(() => consumer.Consume(context));

        Assert.Empty(_client.Calls);
    }

    [Fact]
    public async Task Fails_without_calling_IM_when_the_origin_tag_cannot_be_written()
    {
        var store = Substitute.For<IKeyValueStore>();
        store.ExistsAsync(Arg.Any<string>()).Returns(false);
        store.TakeOnceAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<string>>(), Arg.Any<TimeSpan>())
            .Returns(call => (IReadOnlyList<bool>)[.. call.Arg<IReadOnlyList<string>>().Select(_ => false)]);
        store.AddOnceAsync(Arg.Any<string>(), Arg.Any<IReadOnlyList<string>>(), Arg.Any<TimeSpan>())
            .ThrowsAsync(new TimeoutException("Redis did not answer"));

        await Assert.ThrowsAsync<TimeoutException>(() => Writer(store).ApplyAsync(_context, Joined("lg-gj-1", "u_3")));

        Assert.Empty(_client.Calls);
    }

    [Fact]
    public async Task A_recall_naming_the_legacy_id_withdraws_the_message_by_the_MsgKey_the_ledger_recorded()
    {
        var ledger = new MessageLedger(_store, Options.Create(new LedgerOptions()));
        await ledger.RecordAsync(new LedgerEntry("L-77812", MessageOrigin.Legacy, "u_1", "u_2", MsgKey: "517364_1850291734_1736920800"));

        await Writer().ApplyAsync(_context, Recall("lg-recall-1", new MessageTarget(LegacyMessageId: "L-77812")));

        AssertCall(ImApi.AdminMsgWithdraw, """{ "From_Account": "u_1", "To_Account": "u_2", "MsgKey": "517364_1850291734_1736920800" }""");
        // IM's recall callback names only the MsgKey: its echo is tagged by it.
        Assert.Equal([true], await _tags.TakeImEchoesAsync("im-recall-echo", "c2c:u_1:u_2", ["c2c:recall:517364_1850291734_1736920800"]));
    }

    [Fact]
    public async Task A_recall_of_a_message_the_ledger_does_not_know_faults_naming_it_and_calls_nothing()
    {
        var failure = await Assert.ThrowsAsync<PermanentFailureException>(
            () => Writer().ApplyAsync(_context, Recall("lg-recall-1", new MessageTarget(LegacyMessageId: "L-404"))));

        Assert.Contains("legacyMessageId L-404", failure.Message, StringComparison.Ordinal);
        Assert.Contains("not in the message ledger", failure.Message, StringComparison.Ordinal);
        Assert.Empty(_client.Calls);
    }

    [Fact]
    public async Task A_recall_naming_IMs_key_needs_no_ledger_entry_and_an_already_recalled_message_counts_as_done()
    {
        _client.Answering("""{ "ActionStatus": "FAIL", "ErrorCode": 20023, "ErrorInfo": "already recalled" }""");

        await Writer().ApplyAsync(_context, Recall("lg-recall-1", new MessageTarget(MsgKey: "k_1")));

        AssertCall(ImApi.AdminMsgWithdraw, """{ "From_Account": "u_1", "To_Account": "u_2", "MsgKey": "k_1" }""");
    }

    [Fact]
    public async Task A_group_recall_IM_refuses_for_its_message_faults_with_IMs_code_for_that_seq()
    {
        _client.Answering("""{ "ActionStatus": "OK", "ErrorCode": 0, "RecallRetList": [ { "MsgSeq": 1781, "RetCode": 10031 } ] }""");
        var evt = new LegacyGroupMessageRecalled(Meta(EventTypes.LegacyGroupMessageRecalled, "lg-grecall-1", "group:g_42"),
            new GroupMessageRecalledData("g_42", new MessageTarget(MsgSeq: 1781)));

        var failure = await Assert.ThrowsAsync<PermanentFailureException>(() => Writer().ApplyAsync(_context, evt));

        Assert.Contains("group_open_http_svc/group_msg_recall 1781 (ErrorCode 10031)", failure.Message, StringComparison.Ordinal);
        AssertCall(ImApi.GroupMsgRecall, """{ "GroupId": "g_42", "MsgSeqList": [ { "MsgSeq": 1781 } ] }""");
    }

    [Fact]
    public async Task A_friend_IM_does_not_know_is_imported_and_added_once_more_one_way_and_forced()
    {
        _client.Answering("""{ "ActionStatus": "OK", "ErrorCode": 0, "ResultItem": [ { "To_Account": "u_2", "ResultCode": 30003, "ResultInfo": "not imported" } ] }""");
        var evt = new LegacyFriendAdded(Meta(EventTypes.LegacyFriendAdded, "lg-friend-1", "c2c:u_1:u_2"), new FriendAddedData("u_1", "u_2"));

        await Writer().ApplyAsync(_context, evt);

        Assert.Equal([ImApi.FriendAdd, ImApi.AccountImport, ImApi.FriendAdd], _client.Calls.Select(c => c.Api));
        Assert.Equal("u_2", (string?)_client.Calls[1].Body["UserID"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            { "From_Account": "u_1", "AddFriendItem": [ { "To_Account": "u_2", "AddSource": "AddSource_Type_Legacy" } ],
              "AddType": "Add_Type_Single", "ForceAddFlags": 1 }
            """), _client.Calls[2].Body));
    }

    [Theory]
    [InlineData(true, "\"1736921000\"")]
    [InlineData(false, "1736921000")]
    public async Task A_read_mark_sets_the_conversation_read_up_to_its_time(bool asString, string readTime)
    {
        _toIm.ReadTimeAsString = asString;

        await Writer().ApplyAsync(_context, new LegacyC2CMessageRead(Meta(EventTypes.LegacyC2CMessageRead, "lg-read-1", "c2c:u_1:u_2"),
            new C2CMessageReadData("u_2", "u_1", 1736921000)));

        AssertCall(ImApi.AdminSetMsgRead, $$"""{ "Report_Account": "u_2", "Peer_Account": "u_1", "MsgReadTime": {{readTime}} }""");
    }

    [Fact]
    public async Task A_message_whose_legacy_id_the_ledger_has_is_not_written_again_whatever_its_time()
    {
        var ledger = new MessageLedger(_store, Options.Create(new LedgerOptions()));
        await ledger.RecordAsync(new LedgerEntry("L-77812", MessageOrigin.Legacy, "u_1", "u_2", MsgTime: 1736953200));

        await Writer().ApplyAsync(_context, C2C("lg-c2c-late", legacyMessageId: "L-77812"));
        await Writer().ApplyAsync(_context, C2C("lg-c2c-new", legacyMessageId: "L-77813"));

        Assert.Equal(ImIds.RandomFor("L-77813"), (uint)Assert.Single(_client.Calls).Body["MsgRandom"]!);
    }

    [Fact]
    public async Task A_1to1_message_older_than_the_threshold_is_imported_with_its_own_time_and_expects_no_echo()
    {
        _toIm.KeepTimeOlderThanSeconds = 60;
        var sentAt = EventTime.AddHours(-3);
        var evt = new LegacyC2CMessageSent(Meta(EventTypes.LegacyC2CMessageSent, "lg-held", "c2c:u_1:u_2"),
            new C2CMessageData("u_1", "u_2", [Text("held for hours")], MsgTime: sentAt.ToUnixTimeSeconds(), LegacyMessageId: "L-held"));

        await Writer().ApplyAsync(_context, evt);

        var call = Assert.Single(_client.Calls);
        Assert.Equal(ImApi.ImportMsg, call.Api);
        Assert.Equal(5, (int)call.Body["SyncFromOldSystem"]!);
        Assert.Equal(sentAt.ToUnixTimeSeconds(), (long)call.Body["MsgTimeStamp"]!);
        Assert.Equal(ImIds.RandomFor("L-held"), (uint)call.Body["MsgRandom"]!);
        // No echo tag that would wait for a callback IM never sends (and swallow a real message later).
        Assert.Equal([false], await _tags.TakeImEchoesAsync("probe", "c2c:u_1:u_2", ImParts(new C2CMessageData("u_1", "u_2", [], MsgRandom: ImIds.RandomFor("L-held")))));
        var ledger = new MessageLedger(_store, Options.Create(new LedgerOptions()));
        var expected = new LedgerEntry("L-held", MessageOrigin.Legacy, "u_1", "u_2", MsgTime: sentAt.ToUnixTimeSeconds(), MsgRandom: ImIds.RandomFor("L-held"));
        Assert.Equal(expected, await ledger.FindByLegacyIdAsync("L-held"));
        Assert.Equal(expected, await ledger.FindByC2CIdsAsync("u_1", "u_2", ImIds.RandomFor("L-held"), sentAt.ToUnixTimeSeconds()));
    }

    [Fact]
    public async Task A_recent_1to1_message_is_sent_and_a_threshold_of_zero_sends_even_an_old_one()
    {
        var recent = new LegacyC2CMessageSent(Meta(EventTypes.LegacyC2CMessageSent, "lg-recent", "c2c:u_1:u_2"),
            new C2CMessageData("u_1", "u_2", [Text("just now")], MsgTime: _time.GetUtcNow().AddSeconds(-5).ToUnixTimeSeconds()));
        await Writer().ApplyAsync(_context, recent);
        _toIm.KeepTimeOlderThanSeconds = 0;
        var old = new LegacyC2CMessageSent(Meta(EventTypes.LegacyC2CMessageSent, "lg-old", "c2c:u_1:u_2"),
            new C2CMessageData("u_1", "u_2", [Text("long ago")], MsgTime: EventTime.AddDays(-2).ToUnixTimeSeconds()));
        await Writer().ApplyAsync(_context, old);

        Assert.Equal([ImApi.SendMsg, ImApi.SendMsg], _client.Calls.Select(c => c.Api));
    }

    [Fact]
    public async Task An_event_of_a_conversation_the_import_holds_waits_until_it_is_released()
    {
        var holds = new ConversationHolds(_store, _time, NullLogger<ConversationHolds>.Instance);
        await holds.HoldAsync(["c2c:u_1:u_2"], TimeSpan.FromHours(1));

        var applying = Writer().ApplyAsync(_context, C2C("lg-c2c-1"));
        _time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(100);
        Assert.False(applying.IsCompleted);
        Assert.Empty(_client.Calls);

        await holds.ReleaseAsync(["c2c:u_1:u_2"]);
        _time.Advance(ConversationHolds.PollInterval);
        await applying.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ImApi.SendMsg, Assert.Single(_client.Calls).Api);
    }

    private static LegacyC2CMessageRecalled Recall(string id, MessageTarget target)
        => new(Meta(EventTypes.LegacyC2CMessageRecalled, id, "c2c:u_1:u_2"), new C2CMessageRecalledData("u_1", "u_2", target));

    private WriterUnderTest Writer(IKeyValueStore? store = null)
    {
        store ??= _store;
        return new(
            new RelaySteps(store, new ConversationParking(store, _time), new FaultedEvents(store, _time), TestTelemetry.Create(), new RelayHealth(_time), new DeliveryLedger(store, Options.Create(new LedgerOptions()), _time), Options.Create(_sync), _time, NullLogger<RelaySteps>.Instance),
            new ImWriter(new OriginTags(store, Options.Create(_sync)), _client, new MessageLedger(store, Options.Create(new LedgerOptions())),
                TestRepair.State(store, _time, on: store is InMemoryKeyValueStore), TestRepair.Baseline(store, on: store is InMemoryKeyValueStore), new ConversationHolds(store, _time, NullLogger<ConversationHolds>.Instance), Options.Create(_sync), Options.Create(_im),
                Options.Create(_toIm), _time, NullLogger<ImWriter>.Instance));
    }

    /// <summary>One try of the writer as its consumer runs it: inside the steps every event takes.</summary>
    private sealed record WriterUnderTest(RelaySteps Steps, ImWriter Writer)
    {
        public Task ApplyAsync<TData>(ConsumeContext context, ISyncEvent<TData> evt) where TData : class
            => Steps.RelayAsync(RelayDirection.LegacyToIm, evt, 1, cancellationToken => Writer.ApplyAsync(Declarations.Of<TData>(), evt, cancellationToken), context.CancellationToken, firstFromQueue: true);
    }

    private static IReadOnlyList<string> ImParts<T>(T data) where T : class => Declarations.Of<T>().ImEchoParts(data);

    private static IReadOnlyList<string> LegacyParts<T>(T data) where T : class => Declarations.Of<T>().LegacyEchoParts(data);

    private void AssertCall(ImApi api, string expectedBody)
    {
        var call = Assert.Single(_client.Calls);
        Assert.Equal(api, call.Api);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expectedBody), call.Body), call.Body.ToJsonString());
    }

    /// <summary>The IM callback our send causes: same sender, recipient and MsgRandom, plus IM's own fields.</summary>
    private static C2CMessageData EchoOf(C2CMessageData sent)
        => sent with { MsgRandom = 3762148209, MsgSeq = 1786412666, MsgKey = "1786412666_3762148209_1736953200" };

    private static EventMeta Meta(string type, string id, string subject, string? syncOrigin = null)
        => new(id, "/legacy/chat", type, subject, EventTime, EventTime.AddSeconds(1), SyncOrigin: syncOrigin);

    private static LegacyC2CMessageSent C2C(string id, string? syncOrigin = null, string? legacyMessageId = null)
        => new(Meta(EventTypes.LegacyC2CMessageSent, id, "c2c:u_1:u_2", syncOrigin),
            new C2CMessageData("u_1", "u_2", [Text("See you at 7?")], CloudCustomData: """{"app":"legacy"}""", LegacyMessageId: legacyMessageId));

    private static LegacyGroupDismissed Dismissed(string id)
        => new(Meta(EventTypes.LegacyGroupDismissed, id, "group:g_42"), new GroupDismissedData("g_42", "Public", "Ops"));

    private static LegacyGroupMembersJoined Joined(string id, params string[] members)
        => new(Meta(EventTypes.LegacyGroupMembersJoined, id, "group:g_42"), new GroupMembersJoinedData("g_42", members, JoinType: "Invited"));

    private static MessageElement Text(string text)
        => new("TIMTextElem", JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["Text"] = text }));

    private static string AddedAll(params string[] members) => MemberResults(1, members);

    private static string AlreadyMembers(params string[] members) => MemberResults(2, members);

    private static string MemberResults(int result, string[] members)
        => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["ActionStatus"] = "OK",
            ["ErrorCode"] = 0,
            ["MemberList"] = members.Select(m => new Dictionary<string, object> { ["Member_Account"] = m, ["Result"] = result }),
        });
}
