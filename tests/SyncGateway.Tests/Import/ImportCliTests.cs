using System.CommandLine;
using System.Globalization;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class ImportCliTests
{
    [Fact]
    public void Help_shows_the_parallelism_default_the_import_really_uses()
    {
        var help = Help();

        var parallel = Assert.Single(help.Split('\n'), line => line.TrimStart().StartsWith("--parallel", StringComparison.Ordinal));
        Assert.Contains($"default {new ImportOptions().Parallelism.ToString(CultureInfo.InvariantCulture)})", parallel, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_shows_the_default_state_and_rejects_files()
    {
        var help = Help();

        Assert.Contains("[default: import-state.json]", help, StringComparison.Ordinal);
        Assert.Contains("[default: import-rejects.jsonl]", help, StringComparison.Ordinal);
    }

    private static string Help()
    {
        var output = new StringWriter();
        var exitCode = new RootCommand { ImportCli.CreateCommand() }
            .Parse(["import", "--help"])
            .Invoke(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exitCode);
        return output.ToString();
    }
}
