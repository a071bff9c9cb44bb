using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class ImportConsoleTests : IDisposable
{
    private readonly ImportFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Redirected_output_gets_plain_lines_and_a_summary_per_phase_with_the_invalid_lines()
    {
        _folder
            .Write(ImportPhases.Accounts, Lines.Account("u1"), Lines.Account("u2"))
            .Write(ImportPhases.Groups, Lines.Group("g1"), """{"groupId":"g2"}""");
        var runner = _folder.Runner(new RecordingImClient());
        var output = new StringWriter();

        var outcome = await new ImportConsole(output, interactive: false, TimeSpan.FromMinutes(1))
            .ShowAsync(runner.Phases, runner.RunAsync(_folder.Request(), default, default));

        Assert.Equal(ImportOutcome.CompletedWithRejects, outcome);
        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Contains(lines, line => line.StartsWith("import accounts: 100%, 2 items, 1 calls, 0 rejects", StringComparison.Ordinal));
        var header = Array.FindIndex(lines, line => line.StartsWith("phase ", StringComparison.Ordinal));
        Assert.Equal(["phase", "status", "lines", "items", "calls", "rejects", "invalid", "cut-off", "resumed", "elapsed", "calls/s"], Cells(lines[header]));
        Assert.Equal(["accounts", "completed", "2", "2", "1", "0", "0", "0", "0"], Cells(lines[header + 1])[..9]);
        Assert.Equal(["groups", "completed", "2", "1", "1", "1", "1", "0", "0"], Cells(lines[header + 4])[..9]);
        Assert.Equal(["friends", "no", "input"], Cells(lines[header + 3])[..3]);
        Assert.Contains("  groups.jsonl:2: missing required field \"type\"", lines);
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
