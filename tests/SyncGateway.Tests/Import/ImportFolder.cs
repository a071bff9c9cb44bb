using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

/// <summary>A temporary import folder with its state and rejects files, and a runner over it.</summary>
internal sealed class ImportFolder : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("syncgw-import-").FullName;

    public ImportFolder() => Directory.CreateDirectory(Path);

    public string Path => System.IO.Path.Combine(_root, "input");

    public string StatePath => System.IO.Path.Combine(_root, "state.json");

    public string RejectsPath => System.IO.Path.Combine(_root, "rejects.jsonl");

    public ImportOptions Options { get; } = new()
    {
        Parallelism = 4,
        RetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(5),
    };

    public ImportFolder Write(string phase, IEnumerable<string> lines)
    {
        File.WriteAllLines(System.IO.Path.Combine(Path, ImportPhases.FileName(phase)), lines);
        return this;
    }

    public ImportFolder Write(string phase, params string[] lines) => Write(phase, (IEnumerable<string>)lines);

    public ImportFolder WriteObjects(string phase, IEnumerable<object> lines)
        => Write(phase, lines.Select(line => JsonSerializer.Serialize(line)));

    public IReadOnlyList<JsonElement> Rejects()
        => File.Exists(RejectsPath)
            ? File.ReadAllLines(RejectsPath).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList()
            : [];

    public ImportRunner Runner(IImRestClient? client) => new(client, Options, NullLogger.Instance, TimeProvider.System);

    public ImportRequest Request(bool dryRun = false, long? until = null, params string[] only)
        => new(Path, dryRun, only.Length == 0 ? null : only.ToHashSet(), StatePath, RejectsPath, until);

    public async Task<(ImportOutcome Outcome, ImportRunner Runner)> RunAsync(
        IImRestClient? client,
        ImportRequest? request = null,
        CancellationToken stop = default,
        CancellationToken abort = default)
    {
        var runner = Runner(client);
        var outcome = await runner.RunAsync(request ?? Request(), stop, abort);
        return (outcome, runner);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
