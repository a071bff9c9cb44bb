using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;
using SyncGateway.Im;
using SyncGateway.Import;
using SyncGateway.IntegrationTests.Infrastructure;
using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Hosting;
using SyncGateway.Messaging;

namespace SyncGateway.IntegrationTests.Import;

/// <summary>
/// The history import meets live sync by message identity: the export is taken while legacy keeps writing, and every
/// message reaches IM once, whichever road it came by and whatever its time.
/// </summary>
public sealed class HandoffTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("syncgw-handoff-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_export_taken_while_legacy_keeps_writing_reaches_IM_once_each_in_order_with_late_messages_at_their_own_time()
    {
        using var outcomes = new OutcomeCounter();
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.None, new Dictionary<string, string?>
        {
            ["Sync:Paused"] = "true",
            ["ToIm:KeepTimeOlderThanSeconds"] = "60",
        });
        var t0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;

        // The export: four 1:1 and three group messages of an hour ago.
        Write(ImportPhases.Groups, $$"""{"groupId":"g_h","type":"Public","name":"Handoff","owner":"u_1","createTime":{{t0 - 600}}}""");
        Write(ImportPhases.C2CMessages, [.. Enumerable.Range(1, 4).Select(i => Lines.C2C($"L-{i}", "u_1", "u_2", t0 + i))]);
        Write(ImportPhases.GroupMessages, [.. Enumerable.Range(1, 3).Select(i => Lines.GroupMessage($"G-{i}", "g_h", "u_1", t0 + i))]);
        // IM calls back for these imported writes too; the import tags them, so they are not relayed back to legacy.
        Write(ImportPhases.Profiles, """{"userId":"u_1","profile":{"Tag_Profile_IM_Nick":"Ana"}}""");
        Write(ImportPhases.C2CReadMarks, $$"""{"userId":"u_2","peer":"u_1","readTime":{{t0 + 4}}}""");

        // The live stream while the export was taken and imported (the gateway holds it): L-3 and G-3 are in the export
        // too, L-4 as well but posted without msgTime; L-5 was sent an hour ago but reached legacy after the export (an
        // offline client); L-6 and G-4 are new.
        await SendAsync(sync,
            C2C("lg-3", "L-3", t0 + 3), C2C("lg-4", "L-4", null), C2C("lg-5", "L-5", t0 + 5), C2C("lg-6", "L-6", null),
            Group("lg-g3", "G-3", t0 + 3), Group("lg-g4", "G-4", null));

        Assert.Equal(ImportOutcome.Completed, await ImportAsync(sync));
        sync.Gateway.Services.GetRequiredService<PauseGate>().Resume();

        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetC2CMessages("u_1", "u_2").Count >= 6 && sync.Im.GetGroup("g_h")!.Messages.Count >= 4),
            Wait, "every message in IM");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var c2c = sync.Im.GetC2CMessages("u_1", "u_2");
        Assert.Equal(["L-1", "L-2", "L-3", "L-4", "L-5", "L-6"], c2c.Select(m => Text(m.MsgBody)));
        Assert.Equal(t0 + 5, c2c.Single(m => Text(m.MsgBody) == "L-5").MsgTime);
        Assert.Equal(["G-1", "G-2", "G-3", "G-4"], sync.Im.GetGroup("g_h")!.Messages.Select(m => Text(m.MsgBody)));
        // L-5 kept its time through importmsg; only L-6 and G-4 were sent.
        Assert.Equal(["L-6"], sync.Im.CallsTo(FakeImApis.SendMsg).Where(c => c.ErrorCode == 0).Select(c => Text(c.Body!["MsgBody"]!.AsArray())));
        Assert.Equal(["G-4"], sync.Im.CallsTo(FakeImApis.SendGroupMsg).Where(c => c.ErrorCode == 0).Select(c => Text(c.Body!["MsgBody"]!.AsArray())));
        // The profile, the read mark and the two sends all came back from IM and were suppressed.
        await outcomes.WaitForAsync(RelayDirection.ImToLegacy.Name, SyncTelemetry.Outcomes.SuppressedEcho, 4, Wait);
        Assert.DoesNotContain(sync.Gateway.Legacy.Received, e => e.Type is "im.profile.changed" or "im.c2c.message.read");
    }

    [Fact]
    public async Task A_conversation_held_during_its_import_drains_afterwards_in_order_while_other_conversations_flow()
    {
        await using var sync = await TwoWaySync.StartAsync(LegacyEcho.None, new Dictionary<string, string?> { ["ToIm:KeepTimeOlderThanSeconds"] = "60" });
        var t0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        Write(ImportPhases.Groups, $$"""{"groupId":"g_h","type":"Public","name":"Handoff","owner":"u_1","createTime":{{t0 - 600}}}""");
        Write(ImportPhases.C2CMessages, [.. Enumerable.Range(1, 3).Select(i => Lines.C2C($"L-{i}", "u_1", "u_2", t0 + i))]);
        Write(ImportPhases.GroupMessages, [.. Enumerable.Range(1, 2).Select(i => Lines.GroupMessage($"G-{i}", "g_h", "u_1", t0 + i))]);
        // IM stores the import's first 1:1 message but answers it only when the test lets it: the import is "running"
        // until then.
        using var importing = new ManualResetEventSlim();
        sync.Im.CallObserved = call =>
        {
            if (call.Api == FakeImApis.ImportMsg)
            {
                importing.Wait(Wait);
            }
        };
        var holds = sync.Gateway.Services.GetRequiredService<ConversationHolds>();
        var import = Task.Run(() => ImportAsync(sync));
        await Eventually.AssertAsync(async () => await holds.IsHeldAsync("c2c:u_1:u_2") && await holds.IsHeldAsync("group:g_h"), Wait, "both conversations held");

        // A conversation on another relay queue than both held ones, so only the hold (not its queue) decides.
        var other = Enumerable.Range(0, 100).Select(i => (From: $"u_o{i}", To: $"u_p{i}"))
            .First(p => RelayQueues.ShardOf(Conversations.C2C(p.From, p.To), 32) is var shard
                && shard != RelayQueues.ShardOf("c2c:u_1:u_2", 32) && shard != RelayQueues.ShardOf("group:g_h", 32));
        await SendAsync(sync, C2C("lg-4", "L-4", t0 + 4), Group("lg-g3", "G-3", null),
            LegacyDeltaSender.Delta("legacy.c2c.message.sent", "lg-x", new JsonObject { ["from"] = other.From, ["to"] = other.To, ["body"] = Body("not held") }));
        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetC2CMessages(other.From, other.To).Count == 1), Wait, "the other conversation written");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(["L-1"], sync.Im.GetC2CMessages("u_1", "u_2").Select(m => Text(m.MsgBody)));
        Assert.Empty(sync.Im.GetGroup("g_h")!.Messages);

        importing.Set();
        Assert.Equal(ImportOutcome.Completed, await import);
        await Eventually.AssertAsync(() => Task.FromResult(sync.Im.GetC2CMessages("u_1", "u_2").Count == 4 && sync.Im.GetGroup("g_h")!.Messages.Count == 3),
            Wait, "the held events written after the history");
        var c2c = sync.Im.GetC2CMessages("u_1", "u_2");
        Assert.Equal(["L-1", "L-2", "L-3", "L-4"], c2c.Select(m => Text(m.MsgBody)));
        Assert.Equal(t0 + 4, c2c[3].MsgTime);
        Assert.Equal(["G-1", "G-2", "G-3"], sync.Im.GetGroup("g_h")!.Messages.Select(m => Text(m.MsgBody)));
        Assert.False(await holds.IsHeldAsync("c2c:u_1:u_2"));
    }

    private async Task<ImportOutcome> ImportAsync(TwoWaySync sync)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Im:SdkAppId"] = sync.Im.Options.SdkAppId.ToString(CultureInfo.InvariantCulture),
            ["Im:AdminIdentifier"] = sync.Im.Options.AdminIdentifier,
            ["Im:SecretKey"] = sync.Im.Options.SecretKey,
            ["Im:ApiBaseUrl"] = sync.Im.BaseUrl.ToString(),
        });
        builder.AddImRestClient();
        using var host = builder.Build();
        // The import writes the gateway's ledger and holds, as it does when run with the gateway's Redis settings.
        var runner = new ImportRunner(host.Services.GetRequiredService<IImRestClient>(), new ImportOptions { Parallelism = 4 }, NullLogger.Instance,
            TimeProvider.System, new LiveSync(sync.Gateway.Services.GetRequiredService<MessageLedger>(),
                sync.Gateway.Services.GetRequiredService<ConversationHolds>(), sync.Gateway.Services.GetRequiredService<OriginTags>()));
        return await runner.RunAsync(new ImportRequest(_folder, false, null, Path.Combine(_folder, "state.json"), Path.Combine(_folder, "rejects.jsonl"), null),
            default, default);
    }

    private void Write(string phase, params string[] lines) => File.WriteAllLines(Path.Combine(_folder, ImportPhases.FileName(phase)), lines);

    private static async Task SendAsync(TwoWaySync sync, params JsonObject[] deltas)
    {
        using var answer = await sync.Legacy.SendAsync(deltas);
        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
    }

    private static JsonObject C2C(string id, string legacyId, long? msgTime)
        => LegacyDeltaSender.Delta("legacy.c2c.message.sent", id, WithTime(new JsonObject
        {
            ["from"] = "u_1", ["to"] = "u_2", ["body"] = Body(legacyId), ["legacyMessageId"] = legacyId,
        }, msgTime));

    private static JsonObject Group(string id, string legacyId, long? msgTime)
        => LegacyDeltaSender.Delta("legacy.group.message.sent", id, WithTime(new JsonObject
        {
            ["groupId"] = "g_h", ["from"] = "u_1", ["body"] = Body(legacyId), ["legacyMessageId"] = legacyId,
        }, msgTime));

    private static JsonObject WithTime(JsonObject data, long? msgTime)
    {
        if (msgTime is { } time)
        {
            data["msgTime"] = time;
        }
        return data;
    }

    private static JsonArray Body(string text) => FakeImServer.TextBody(text).DeepClone().AsArray();

    private static string Text(JsonArray body) => body[0]!["MsgContent"]!["Text"]!.GetValue<string>();
}
