using System.Diagnostics;
using SyncGateway.Fakes.Im;

namespace SyncGateway.IntegrationTests.Import;

/// <summary>The gateway's executable run as <c>SyncGateway import …</c>, the way an operator runs it.</summary>
public sealed class ImportCommandTests : IDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("syncgw-import-cli-").FullName;

    public void Dispose() => Directory.Delete(_workDir, recursive: true);

    [Fact]
    public async Task A_dry_run_names_a_planted_bad_line_by_file_and_line_and_exits_1()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_workDir, "export")).FullName;
        await File.WriteAllLinesAsync(Path.Combine(folder, "accounts.jsonl"), [Lines.Account("u1"), Lines.Account("u2")]);
        await File.WriteAllLinesAsync(Path.Combine(folder, "c2c-messages.jsonl"),
        [
            Lines.C2C("c1", "u1", "u2", Lines.Created),
            Lines.C2C("c2", "u2", "u1", Lines.Created + 1),
            """{"id":"c3","from":"u1","to":"u2","time":1600000002,"body":[{"msgType":"TIMHologramElem","msgContent":{}}]}""",
        ]);

        var (exitCode, output) = await RunAsync(["import", folder, "--dry-run"], environment: new Dictionary<string, string?>());

        Assert.Equal(1, exitCode);
        Assert.Contains("c2c-messages.jsonl:3: body[0] has unknown element type \"TIMHologramElem\"", output, StringComparison.Ordinal);
        Assert.DoesNotContain("accounts.jsonl:", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_workDir, "import-state.json")));
    }

    [Fact]
    public async Task Imports_the_shipped_sample_folder_into_im_and_exits_0()
    {
        await using var im = new FakeImServer(new FakeImOptions { SecretKey = ImportRig.SecretKey, RequireImportedAccounts = true });
        await im.StartAsync();
        var environment = ImportRig.ImSettings(im, callsPerSecond: 0).ToDictionary(setting => setting.Key.Replace(":", "__", StringComparison.Ordinal), setting => setting.Value);

        var (exitCode, output) = await RunAsync(["import", SampleFolder(), "--parallel", "4"], environment);

        Assert.True(exitCode == 0, output);
        Assert.Contains("group-messages  completed", output, StringComparison.Ordinal);
        Assert.Equal(["g_legacy_42", "g_legacy_43"], im.GroupIds.Order());
        Assert.Equal(4, im.GetGroup("g_legacy_42")!.Messages.Count);
        Assert.Equal(3, im.GetC2CMessages("u_10001", "u_10002").Count);
        Assert.True(File.Exists(Path.Combine(_workDir, "import-state.json")));
        Assert.False(File.Exists(Path.Combine(_workDir, "import-rejects.jsonl")));
    }

    private async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyList<string> args, IDictionary<string, string?> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SyncGateway.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string SampleFolder()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SyncGateway.sln")))
        {
            directory = directory.Parent;
        }
        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("SyncGateway.sln not found"), "deploy", "sample-import");
    }
}
