using Microsoft.Extensions.Logging.Abstractions;
using SyncGateway.Fakes.Import;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class ImportSampleTests : IDisposable
{
    private readonly ImportFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_shipped_sample_folder_passes_a_dry_run_with_every_phase()
    {
        var sample = Path.Combine(RepositoryRoot(), "deploy", "sample-import");
        var runner = new ImportRunner(null, _folder.Options, NullLogger.Instance, TimeProvider.System);

        var outcome = await runner.RunAsync(_folder.Request(dryRun: true) with { Folder = sample }, default, default);

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.All(runner.Phases, phase =>
        {
            Assert.Equal(PhaseStatus.Completed, phase.Status);
            Assert.True(phase.Items > 0, $"{phase.Name} has no items");
        });
    }

    [Fact]
    public async Task A_generated_history_passes_a_dry_run_and_imports_every_line()
    {
        await ImportSampleGenerator.WriteAsync(_folder.Path, new ImportSampleSize(Accounts: 40, C2CMessages: 333, Groups: 7, GroupMessages: 101));
        var im = new RecordingImClient();

        var (dry, planned) = await _folder.RunAsync(client: null, _folder.Request(dryRun: true));
        var (real, imported) = await _folder.RunAsync(im);

        Assert.Equal(ImportOutcome.Completed, dry);
        Assert.Equal(ImportOutcome.Completed, real);
        Assert.Equal(333, imported.Phases.Single(phase => phase.Name == ImportPhases.C2CMessages).Items);
        Assert.Equal(101, imported.Phases.Single(phase => phase.Name == ImportPhases.GroupMessages).Items);
        Assert.Equal(planned.Phases.Select(phase => phase.Calls), imported.Phases.Select(phase => phase.Calls));
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SyncGateway.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("SyncGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
