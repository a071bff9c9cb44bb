using System.Text.Json;
using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class ImportResumeTests : IDisposable
{
    private readonly ImportFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_stopped_run_resumed_with_its_state_file_completes_without_sending_any_batch_twice()
    {
        _folder.Options.Parallelism = 8;
        WriteHistory();
        using var stop = new CancellationTokenSource();
        var first = new RecordingImClient
        {
            During = async call =>
            {
                if (call.Sequence == 150)
                {
                    await stop.CancelAsync();
                }
            },
        };

        var (stopped, _) = await _folder.RunAsync(first, stop: stop.Token);
        var second = new RecordingImClient();
        var (completed, runner) = await _folder.RunAsync(second);

        Assert.Equal(ImportOutcome.Stopped, stopped);
        Assert.Equal(ImportOutcome.Completed, completed);
        var all = first.Calls.Concat(second.Calls).Select(Identity).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.Equal(ExpectedCalls, all.Count);
        Assert.InRange(first.Calls.Count, 150, 150 + _folder.Options.Parallelism);
        Assert.Equal(PhaseStatus.AlreadyDone, runner.Phases.Single(phase => phase.Name == ImportPhases.Accounts).Status);
        Assert.True(runner.Phases.Single(phase => phase.Name == ImportPhases.C2CMessages).Resumed > 0);
    }

    [Fact]
    public async Task After_a_hard_abort_only_the_calls_that_never_answered_are_sent_again()
    {
        _folder.Options.Parallelism = 8;
        WriteHistory();
        using var abort = new CancellationTokenSource();
        var answered = new List<string>();
        var first = new RecordingImClient
        {
            During = async call =>
            {
                if (call.Sequence == 120)
                {
                    await abort.CancelAsync();
                }
            },
            Answer = call =>
            {
                lock (answered)
                {
                    answered.Add(Identity(call));
                }
                return null;
            },
        };

        var (aborted, _) = await _folder.RunAsync(first, stop: abort.Token, abort: abort.Token);
        var second = new RecordingImClient();
        await _folder.RunAsync(second);

        Assert.Equal(ImportOutcome.Stopped, aborted);
        var resent = second.Calls.Select(Identity).Intersect(answered).ToList();
        Assert.Empty(resent);
        Assert.Equal(ExpectedCalls, answered.Count + second.Calls.Count);
    }

    [Fact]
    public async Task Refuses_to_resume_a_phase_whose_file_changed()
    {
        WriteHistory();
        using var stop = new CancellationTokenSource();
        var first = new RecordingImClient { During = async call => { if (call.Sequence == 5) { await stop.CancelAsync(); } } };
        await _folder.RunAsync(first, stop: stop.Token);
        _folder.Write(ImportPhases.Accounts, Enumerable.Range(0, 10).Select(i => Lines.Account($"x{i}")));

        var error = await Assert.ThrowsAsync<ImportStateException>(() => _folder.RunAsync(new RecordingImClient()));

        Assert.Contains("accounts", error.Message, StringComparison.Ordinal);
        Assert.Contains("new --state", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_state_file_of_another_folder()
    {
        File.WriteAllText(_folder.StatePath, """{"version":1,"folder":"/elsewhere","phases":{}}""");
        _folder.Write(ImportPhases.Accounts, Lines.Account("u1"));

        var error = await Assert.ThrowsAsync<ImportStateException>(() => _folder.RunAsync(new RecordingImClient()));

        Assert.Contains("/elsewhere", error.Message, StringComparison.Ordinal);
    }

    // 300 accounts (3 calls), 200 1:1 messages over 20 conversations, 20 groups of 21 messages (3 calls each).
    private const int ExpectedCalls = 3 + 20 + 200 + 60;

    private void WriteHistory()
    {
        _folder
            .Write(ImportPhases.Accounts, Enumerable.Range(0, 300).Select(i => Lines.Account($"u{i}")))
            .Write(ImportPhases.Groups, Enumerable.Range(0, 20).Select(i => Lines.Group($"g{i}")))
            .Write(ImportPhases.C2CMessages, Enumerable.Range(0, 200).Select(i => Lines.C2C($"c{i}", $"u{i % 20}", "u299", Lines.Created + i)))
            .Write(ImportPhases.GroupMessages, Enumerable.Range(0, 20).SelectMany(group => Enumerable.Range(0, 21)
                .Select(i => Lines.GroupMessage($"g{group}-m{i}", $"g{group}", "u1", Lines.Created + Lines.Day + i))));
    }

    private static string Identity(RecordedCall call) => $"{call.Api} {call.Body.GetRawText()}";
}
