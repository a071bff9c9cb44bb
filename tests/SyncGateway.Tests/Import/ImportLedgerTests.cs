using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Im;
using SyncGateway.Import;
using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Import;

public sealed class ImportLedgerTests : IDisposable
{
    private readonly ImportFolder _folder = new();
    private readonly RecordingImClient _im = new();
    private readonly InMemoryKeyValueStore _store = new(new ManualTimeProvider(DateTimeOffset.UtcNow));
    private readonly MessageLedger _ledger;
    private readonly OriginTags _tags;
    private readonly ConversationHolds _holds;

    public ImportLedgerTests()
    {
        _ledger = new MessageLedger(_store, Options.Create(new LedgerOptions()));
        _tags = new OriginTags(_store, Options.Create(new SyncOptions()));
        _holds = new ConversationHolds(_store, TimeProvider.System, NullLogger<ConversationHolds>.Instance);
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Records_the_MsgSeq_import_group_msg_answers_for_each_imported_message_under_its_legacy_id()
    {
        _folder.Write(ImportPhases.GroupMessages,
            Lines.GroupMessage("G-1", "g_42", "u_1", Lines.Created + 10),
            Lines.GroupMessage("G-2", "g_42", "u_2", Lines.Created + 20));
        _im.Answer = call => call.Api == ImApi.ImportGroupMsg
            ? RecordingImClient.Json("""
                {"ActionStatus":"OK","ErrorCode":0,"ImportMsgResult":[{"MsgSeq":7,"MsgTime":1600000010,"Result":0},{"MsgSeq":0,"MsgTime":1600000020,"Result":80002}]}
                """)
            : null;

        await Runner().RunAsync(_folder.Request(), default, default);

        var expected = new LedgerEntry("G-1", MessageOrigin.Legacy, "u_1", GroupId: "g_42", MsgSeq: 7, MsgTime: 1600000010);
        Assert.Equal(expected, await _ledger.FindByLegacyIdAsync("G-1"));
        Assert.Equal(expected, await _ledger.FindByGroupSeqAsync("g_42", 7));
        Assert.Null(await _ledger.FindByLegacyIdAsync("G-2"));
    }

    [Fact]
    public async Task Records_imported_1to1_messages_under_their_legacy_id_and_the_ids_the_import_gave_them_importmsg_answers_no_MsgKey()
    {
        _folder.Write(ImportPhases.C2CMessages, Lines.C2C("L-1", "u_1", "u_2", Lines.Created + 10));

        await Runner().RunAsync(_folder.Request(), default, default);

        Assert.Single(_im.CallsTo(ImApi.ImportMsg));
        var expected = new LedgerEntry("L-1", MessageOrigin.Legacy, "u_1", "u_2", MsgTime: Lines.Created + 10, MsgRandom: ImIds.RandomFor("L-1"));
        Assert.Equal(expected, await _ledger.FindByLegacyIdAsync("L-1"));
        // The gap repair finds it in IM's history by the ids the import wrote it with: its own write, never relayed back.
        Assert.Equal(expected, await _ledger.FindByC2CIdsAsync("u_1", "u_2", ImIds.RandomFor("L-1"), Lines.Created + 10));
    }

    [Fact]
    public async Task Tags_the_IM_callbacks_its_profile_and_read_mark_writes_raise_so_live_sync_does_not_relay_them()
    {
        _folder.Write(ImportPhases.Profiles, """{"userId":"u_1","profile":{"Tag_Profile_IM_Nick":"Ana","Tag_Profile_IM_Location":"CN"}}""");
        _folder.Write(ImportPhases.C2CReadMarks, """{"userId":"u_2","peer":"u_1","readTime":1600000100}""");

        await Runner().RunAsync(_folder.Request(), default, default);

        var profileEcho = ProfileChangedDeclaration.EchoParts(new ProfileChangedData("u_1", Nick: "Ana"));
        Assert.Equal([true], await _tags.TakeImEchoesAsync("im-profile-echo", "user:u_1", profileEcho));
        Assert.Equal([true], await _tags.TakeImEchoesAsync("im-read-echo", "c2c:u_1:u_2", [C2CMessageReadDeclaration.EchoPart("u_2", "u_1", 1600000100)]));
    }

    [Fact]
    public async Task Holds_the_conversations_of_its_message_files_until_their_phase_is_done()
    {
        _folder.Write(ImportPhases.C2CMessages, Lines.C2C("L-1", "u_1", "u_2", Lines.Created + 10));
        var heldDuringTheCall = false;
        _im.Answer = call =>
        {
            heldDuringTheCall = _holds.IsHeldAsync("c2c:u_1:u_2").GetAwaiter().GetResult();
            return null;
        };

        await Runner().RunAsync(_folder.Request(), default, default);

        Assert.True(heldDuringTheCall);
        Assert.False(await _holds.IsHeldAsync("c2c:u_1:u_2"));
    }

    private ImportRunner Runner() => new(_im, _folder.Options, NullLogger.Instance, TimeProvider.System, new LiveSync(_ledger, _holds, _tags));
}
