using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SyncGateway.Im;
using SyncGateway.Import;
using SyncGateway.Ledger;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Import;

public sealed class ImportLedgerTests : IDisposable
{
    private readonly ImportFolder _folder = new();
    private readonly RecordingImClient _im = new();
    private readonly MessageLedger _ledger = new(new InMemoryKeyValueStore(new ManualTimeProvider(DateTimeOffset.UtcNow)), Options.Create(new LedgerOptions()));

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
    public async Task Records_imported_1to1_messages_under_their_legacy_id_only_importmsg_answers_no_MsgKey()
    {
        _folder.Write(ImportPhases.C2CMessages, Lines.C2C("L-1", "u_1", "u_2", Lines.Created + 10));

        await Runner().RunAsync(_folder.Request(), default, default);

        Assert.Single(_im.CallsTo(ImApi.ImportMsg));
        Assert.Equal(new LedgerEntry("L-1", MessageOrigin.Legacy, "u_1", "u_2", MsgTime: Lines.Created + 10), await _ledger.FindByLegacyIdAsync("L-1"));
    }

    private ImportRunner Runner() => new(_im, _folder.Options, NullLogger.Instance, TimeProvider.System, _ledger);
}
