using System.Text.Json;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.Messaging;

namespace SyncGateway.Import;

/// <summary>What to import and how (the <c>import</c> command's arguments).</summary>
/// <param name="Folder">Folder holding the <c>{phase}.jsonl</c> files.</param>
/// <param name="DryRun">Check every line of every file without calling IM.</param>
/// <param name="Only">Phases to run (<c>--only</c>); null = all.</param>
/// <param name="StatePath">Checkpoint file (<c>--state</c>).</param>
/// <param name="RejectsPath">Rejects file (<c>--rejects</c>).</param>
/// <param name="Until">Cut-off, Unix seconds (<c>--until</c>): messages at or after it are left to the live sync.</param>
internal sealed record ImportRequest(
    string Folder,
    bool DryRun,
    IReadOnlySet<string>? Only,
    string StatePath,
    string RejectsPath,
    long? Until);

internal enum ImportOutcome
{
    Completed,
    CompletedWithRejects,
    InvalidInput,
    Stopped,
    Failed,
}

/// <summary>Runs the selected phases in dependency order; a phase that does not complete stops the ones after it.</summary>
internal sealed class ImportRunner(
    IImRestClient? client, ImportOptions options, ILogger logger, TimeProvider time, LiveSync? live = null)
{
    /// <summary>One entry per phase, in order, from the moment the run is created; the progress display reads them.</summary>
    public IReadOnlyList<PhaseProgress> Phases { get; } = ImportPhases.Names.Select(name => new PhaseProgress(name)).ToList();

    /// <summary>Checks the folder and the state file before anything runs; throws <see cref="ImportSetupException"/> or <see cref="ImportStateException"/>.</summary>
    public static string ResolveFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        return Directory.Exists(full)
            ? full
            : throw new ImportSetupException($"Import folder {full} does not exist");
    }

    public async Task<ImportOutcome> RunAsync(ImportRequest request, CancellationToken stop, CancellationToken abort)
    {
        if (!request.DryRun && client is null)
        {
            throw new InvalidOperationException("An import that calls IM needs an IM REST client");
        }
        var folder = ResolveFolder(request.Folder);
        using var stopOrAbort = CancellationTokenSource.CreateLinkedTokenSource(stop, abort);
        using var state = request.DryRun
            ? ImportState.InMemory(folder)
            : await ImportState.OpenAsync(Path.GetFullPath(request.StatePath), folder, stopOrAbort.Token);
        await using var rejects = new RejectsWriter(request.DryRun ? null : Path.GetFullPath(request.RejectsPath));
        var groups = await GroupIndex.LoadAsync(Path.Combine(folder, ImportPhases.FileName(ImportPhases.Groups)), stopOrAbort.Token);
        var references = request.DryRun ? await InputReferences.LoadAsync(folder, groups, stopOrAbort.Token) : null;
        var context = new ImportContext(options, request.Until, groups, time.GetUtcNow().ToUnixTimeSeconds(), references);
        var runner = new PhaseRunner(client, state, rejects, options, logger, request.DryRun ? null : live);

        foreach (var progress in Phases)
        {
            var path = Path.Combine(folder, progress.FileName);
            if (request.Only is { } only && !only.Contains(progress.Name))
            {
                progress.Status = PhaseStatus.NotSelected;
            }
            else if (!File.Exists(path))
            {
                progress.Status = PhaseStatus.NoInput;
            }
        }

        // Every checkpoint is checked before the first call, so a mismatch cannot stop the run half-way.
        var pending = Phases
            .Where(progress => progress.Status == PhaseStatus.Pending)
            .Select(progress =>
            {
                var path = Path.Combine(folder, progress.FileName);
                var phase = ImportPhases.Create(progress.Name, context);
                return (progress, path, phase, checkpoint: request.DryRun ? null : state.For(progress.Name, Fingerprint(path, phase)));
            })
            .ToList();

        var held = request.DryRun ? [] : await HoldAsync(pending.Where(p => p.checkpoint is not { Completed: true }).Select(p => (p.progress.Name, p.path)), stopOrAbort.Token);

        var outcome = ImportOutcome.Completed;
        foreach (var (progress, path, phase, checkpoint) in pending)
        {
            if (stopOrAbort.IsCancellationRequested)
            {
                return ImportOutcome.Stopped;
            }
            if (checkpoint is { Completed: true })
            {
                progress.Status = PhaseStatus.AlreadyDone;
                continue;
            }

            progress.Start(new FileInfo(path).Length);
            var result = await phase.RunAsync(runner, new PhaseRun(path, progress, checkpoint, stopOrAbort.Token, abort));
            progress.End(result.Status, result.Reason);
            ImportLog.PhaseEnded(logger, progress.Name, result.Status, progress.Items, progress.Calls, progress.Rejects, progress.Elapsed);
            switch (result.Status)
            {
                case PhaseStatus.Failed:
                    ImportLog.PhaseFailed(logger, progress.Name, result.Reason ?? "");
                    return ImportOutcome.Failed;
                case PhaseStatus.Stopped:
                    return ImportOutcome.Stopped;
            }
            if (request.DryRun ? progress.Invalid > 0 : progress.Rejects > 0)
            {
                outcome = request.DryRun ? ImportOutcome.InvalidInput : ImportOutcome.CompletedWithRejects;
            }
            if (held.Remove(progress.Name, out var conversations))
            {
                await live!.Holds.ReleaseAsync(conversations);
            }
        }
        return outcome;
    }

    /// <summary>
    /// Holds every conversation of the message phases about to run, so live sync writes nothing into them before their
    /// history (<see cref="ConversationHolds"/>); each phase's are released when it is done.
    /// </summary>
    private async Task<Dictionary<string, HashSet<string>>> HoldAsync(IEnumerable<(string Phase, string Path)> phases, CancellationToken cancellationToken)
    {
        var held = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        if (live is null)
        {
            return held;
        }
        foreach (var (phase, path) in phases.Where(p => p.Phase is ImportPhases.GroupMessages or ImportPhases.C2CMessages))
        {
            var conversations = await ConversationsAsync(phase, path, cancellationToken);
            await live.Holds.HoldAsync(conversations, TimeSpan.FromHours(options.HoldHours));
            held[phase] = conversations;
        }
        return held;
    }

    /// <summary>
    /// The conversation subject of each line of a message file; a line that does not name one is skipped here and
    /// reported by its phase.
    /// </summary>
    private static async Task<HashSet<string>> ConversationsAsync(string phase, string path, CancellationToken cancellationToken)
    {
        var conversations = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken))
        {
            try
            {
                using var document = JsonDocument.Parse(line.Text);
                var root = LineFields.RequireObject(document.RootElement);
                conversations.Add(phase == ImportPhases.GroupMessages
                    ? Conversations.Group(LineFields.RequiredString(root, "groupId"))
                    : Conversations.C2C(LineFields.RequiredUserId(root, "from"), LineFields.RequiredUserId(root, "to")));
            }
            catch (Exception e) when (e is JsonException or ImportInputException)
            {
            }
        }
        return conversations;
    }

    // The file's size and time plus the batching options: a resumed phase must plan exactly the same batches.
    private static string Fingerprint(string path, IImportPhase phase)
    {
        var file = new FileInfo(path);
        return $"{file.Length}:{file.LastWriteTimeUtc.Ticks}:{phase.BatchingFingerprint}";
    }
}

/// <summary>The import cannot start (missing folder, bad argument); the message says what to fix.</summary>
internal sealed class ImportSetupException(string message) : Exception(message);
