using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.Import;
using SyncGateway.Tests.Support;
using SyncGateway.ToIm;

namespace SyncGateway.Tests.Import;

/// <summary>
/// A legacy message that reaches IM both through the history import and through live sync carries the same
/// <c>MsgRandom</c> (1:1) or <c>Random</c> (group) either way.
/// </summary>
public sealed class ImportAndLiveMessageIdsTests : IDisposable
{
    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(Lines.Created + 60);
    private static readonly ImWriteSettings Settings = new(ForbidSendCallbacks: true, new ToImOptions(), SentAt);

    private readonly ImportFolder _folder = new();
    private readonly RecordingImClient _im = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_1to1_message_gets_the_same_MsgRandom_from_the_import_and_from_a_live_delta_naming_its_legacy_id()
    {
        _folder.Write(ImportPhases.C2CMessages, Lines.C2C("L-77812", "u_1", "u_2", Lines.Created + 60));
        await _folder.RunAsync(_im);
        var imported = _im.CallsTo(ImApi.ImportMsg).Single().Body.GetProperty("MsgRandom").GetUInt32();

        var live = Declarations.Of<C2CMessageData>().ToIm(
            Meta("lg-delta-5512", EventTypes.LegacyC2CMessageSent, "c2c:u_1:u_2"),
            new C2CMessageData("u_1", "u_2", [Text("hi")], LegacyMessageId: "L-77812"),
            Settings);

        Assert.Equal(imported, Body(live).GetProperty("MsgRandom").GetUInt32());
    }

    [Fact]
    public async Task A_group_message_gets_the_same_Random_from_the_import_and_from_a_live_delta_naming_its_legacy_id()
    {
        _folder.Write(ImportPhases.GroupMessages, Lines.GroupMessage("G-99120", "g_42", "u_3", Lines.Created + 60));
        await _folder.RunAsync(_im);
        var imported = _im.CallsTo(ImApi.ImportGroupMsg).Single().Array("MsgList").Single().GetProperty("Random").GetUInt32();

        var live = Declarations.Of<GroupMessageData>().ToIm(
            Meta("lg-delta-7781", EventTypes.LegacyGroupMessageSent, "group:g_42"),
            new GroupMessageData("g_42", "u_3", [Text("hi")], LegacyMessageId: "G-99120"),
            Settings);

        Assert.Equal(imported, Body(live).GetProperty("Random").GetUInt32());
    }

    [Fact]
    public async Task A_live_delta_without_a_legacy_id_is_its_own_legacy_id()
    {
        _folder.Write(ImportPhases.C2CMessages, Lines.C2C("L-9", "u_1", "u_2", Lines.Created + 60));
        await _folder.RunAsync(_im);
        var imported = _im.CallsTo(ImApi.ImportMsg).Single().Body.GetProperty("MsgRandom").GetUInt32();

        var live = Declarations.Of<C2CMessageData>().ToIm(
            Meta("L-9", EventTypes.LegacyC2CMessageSent, "c2c:u_1:u_2"), new C2CMessageData("u_1", "u_2", [Text("hi")]), Settings);

        Assert.Equal(imported, Body(live).GetProperty("MsgRandom").GetUInt32());
    }

    private static EventMeta Meta(string id, string type, string subject) => new(id, "/legacy/chat", type, subject, SentAt, SentAt);

    private static JsonElement Body(ImWritePlan plan) => JsonSerializer.SerializeToElement(plan.Calls.Single().Body, plan.Calls.Single().Body.GetType());

    private static MessageElement Text(string text)
        => new("TIMTextElem", JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["Text"] = text }));
}
