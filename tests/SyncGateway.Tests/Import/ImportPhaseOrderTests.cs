using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class ImportPhaseOrderTests : IDisposable
{
    private readonly ImportFolder _folder = new();
    private readonly RecordingImClient _im = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Runs_the_phases_in_dependency_order_whatever_the_parallelism()
    {
        _folder.Options.Parallelism = 8;
        WriteOneOfEach(linesPerFile: 20);

        var (outcome, _) = await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.Completed, outcome);
        ImApi[] order =
        [
            ImApi.MultiAccountImport, ImApi.PortraitSet, ImApi.FriendImport, ImApi.ImportGroup, ImApi.ImportGroupMember,
            ImApi.ImportMsg, ImApi.AdminSetMsgRead, ImApi.ImportGroupMsg, ImApi.SetUnreadMsgNum,
        ];
        var calls = _im.Calls;
        for (var phase = 1; phase < order.Length; phase++)
        {
            var lastOfEarlier = calls.Last(call => call.Api == order[phase - 1]).Sequence;
            var firstOfThis = calls.First(call => call.Api == order[phase]).Sequence;
            Assert.True(lastOfEarlier < firstOfThis, $"{order[phase]} started before {order[phase - 1]} finished");
        }
    }

    [Fact]
    public async Task Skips_phases_without_a_file_and_phases_left_out_by_only()
    {
        WriteOneOfEach(linesPerFile: 3);
        File.Delete(Path.Combine(_folder.Path, "friends.jsonl"));

        var (outcome, runner) = await _folder.RunAsync(_im, _folder.Request(only: [ImportPhases.Accounts, ImportPhases.Friends, ImportPhases.Groups]));

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Equal([ImApi.MultiAccountImport, ImApi.ImportGroup], _im.Calls.Select(call => call.Api).Distinct());
        Assert.Equal(PhaseStatus.NoInput, runner.Phases.Single(phase => phase.Name == ImportPhases.Friends).Status);
        Assert.Equal(PhaseStatus.NotSelected, runner.Phases.Single(phase => phase.Name == ImportPhases.Profiles).Status);
    }

    private void WriteOneOfEach(int linesPerFile)
    {
        var range = Enumerable.Range(0, linesPerFile).ToList();
        _folder
            .Write(ImportPhases.Accounts, range.Select(i => Lines.Account($"u{i}")))
            .Write(ImportPhases.Profiles, range.Select(i => Lines.Profile($"u{i}")))
            .Write(ImportPhases.Friends, range.Select(i => Lines.Friend($"u{i}", $"u{(i + 1) % linesPerFile}")))
            .Write(ImportPhases.Groups, range.Select(i => Lines.Group($"g{i}")))
            .Write(ImportPhases.GroupMembers, range.Select(i => Lines.Member($"g{i}", $"u{i}")))
            .Write(ImportPhases.C2CMessages, range.Select(i => Lines.C2C($"c{i}", $"u{i}", "u0", Lines.Created + i)))
            .Write(ImportPhases.C2CReadMarks, range.Select(i => Lines.ReadMark("u0", $"u{i}", Lines.Created + i)))
            .Write(ImportPhases.GroupMessages, range.Select(i => Lines.GroupMessage($"m{i}", $"g{i}", $"u{i}", Lines.Created + Lines.Day)))
            .Write(ImportPhases.GroupUnread, range.Select(i => Lines.Unread($"g{i}", $"u{i}", 1)));
    }
}
