using SyncGateway.Fakes.Im;
using SyncGateway.Import;

namespace SyncGateway.IntegrationTests.Import;

public sealed class ImportResumeTests
{
    private const int Conversations = 20;
    private const int MessagesPerConversation = 15;
    private const int Groups = 10;
    private const int MessagesPerGroup = 30;

    [Fact]
    public async Task A_run_stopped_mid_way_resumes_from_its_state_file_and_sends_no_batch_twice()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        WriteHistory(rig);
        using var stop = new CancellationTokenSource();
        var stopper = Task.Run(async () =>
        {
            await rig.Im.WaitForCallsAsync(FakeImApis.ImportMsg, 120, TimeSpan.FromSeconds(60));
            await stop.CancelAsync();
        });

        var (first, _) = await rig.RunAsync(stop.Token);
        await stopper;
        var sentBeforeRestart = rig.Im.Calls.Count;
        var (second, resumed) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Stopped, first);
        Assert.Equal(ImportOutcome.Completed, second);
        Assert.InRange(sentBeforeRestart, 120, ExpectedCalls - 1);
        var bodies = rig.Im.Calls.Select(call => $"{call.Api} {call.Body!.ToJsonString()}").ToList();
        Assert.Equal(ExpectedCalls, bodies.Count);
        Assert.Equal(bodies.Count, bodies.Distinct().Count());
        Assert.Equal(PhaseStatus.AlreadyDone, resumed.Phases.Single(phase => phase.Name == ImportPhases.Accounts).Status);
        AssertEverythingImportedOnce(rig);
    }

    [Fact]
    public async Task After_a_hard_abort_the_resent_calls_leave_no_duplicate_message_in_im()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        WriteHistory(rig);
        using var abort = new CancellationTokenSource();
        var aborter = Task.Run(async () =>
        {
            await rig.Im.WaitForCallsAsync(FakeImApis.ImportGroupMsg, 10, TimeSpan.FromSeconds(60));
            await abort.CancelAsync();
        });

        var (first, _) = await rig.RunAsync(abort.Token, abort.Token);
        await aborter;
        var (second, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Stopped, first);
        Assert.Equal(ImportOutcome.Completed, second);
        AssertEverythingImportedOnce(rig);
    }

    // 100 accounts (1 call), 10 groups, 300 1:1 messages, 10 groups × 30 messages in batches of 7 (5 calls each).
    private const int ExpectedCalls = 1 + Groups + (Conversations * MessagesPerConversation) + (Groups * 5);

    private static void WriteHistory(ImportRig rig)
    {
        rig
            .Write(ImportPhases.Accounts, Enumerable.Range(0, 100).Select(i => Lines.Account($"u{i}")))
            .Write(ImportPhases.Groups, Enumerable.Range(0, Groups).Select(g => Lines.Group($"g{g}")))
            .Write(ImportPhases.C2CMessages, Enumerable.Range(0, Conversations).SelectMany(c => Enumerable.Range(0, MessagesPerConversation)
                .Select(n => Lines.C2C($"c{c}-{n}", $"u{c}", $"u{c + 50}", Lines.Created + 3600 + (n / 3)))))
            .Write(ImportPhases.GroupMessages, Enumerable.Range(0, Groups).SelectMany(g => Enumerable.Range(0, MessagesPerGroup)
                .Select(n => Lines.GroupMessage($"g{g}-{n}", $"g{g}", $"u{n}", Lines.Created + 3600 + n))));
    }

    private static void AssertEverythingImportedOnce(ImportRig rig)
    {
        for (var c = 0; c < Conversations; c++)
        {
            var messages = rig.Im.GetC2CMessages($"u{c}", $"u{c + 50}");
            Assert.Equal(MessagesPerConversation, messages.Count);
            Assert.Equal(Enumerable.Range(0, MessagesPerConversation).Select(n => $"c{c}-{n}"), messages.Select(m => m.MsgBody[0]!["MsgContent"]!["Text"]!.GetValue<string>()));
        }
        for (var g = 0; g < Groups; g++)
        {
            var messages = rig.Im.GetGroup($"g{g}")!.Messages;
            Assert.Equal(Enumerable.Range(0, MessagesPerGroup).Select(n => $"g{g}-{n}"), messages.Select(m => m.MsgBody[0]!["MsgContent"]!["Text"]!.GetValue<string>()));
        }
    }
}
