using System.Text.Json;
using System.Text.Json.Serialization;

namespace SyncGateway.Import;

/// <summary>
/// The resumable position of an import, one checkpoint per phase: every batch numbered below
/// <see cref="PhaseCheckpoint.Watermark"/> is done, and so are the numbers in <see cref="PhaseCheckpoint.Done"/>
/// (batches that finished out of order, at most the number in flight). A batch is written here before its worker
/// takes the next one, and the file is replaced atomically (temp file + rename), so a killed run restarted with the
/// same file never sends a finished batch again.
/// </summary>
internal sealed class ImportState : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly string? _path;
    private readonly StateDocument _document;
    private readonly Lock _gate = new();
    private readonly List<(long Version, TaskCompletionSource Written)> _waiting = [];
    private readonly SemaphoreSlim _dirty = new(0);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _writer = Task.CompletedTask;
    private long _version;

    private ImportState(string? path, StateDocument document)
    {
        _path = path;
        _document = document;
        if (path is not null)
        {
            // File writes block a thread on Linux; on the thread pool, a write per batch starves the rate limiter's
            // timers and the HTTP continuations, so one dedicated thread does them all.
            _writer = Task.Factory.StartNew(WriteLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }
    }

    /// <summary>A state that is never written (dry runs).</summary>
    public static ImportState InMemory(string folder) => new(null, new StateDocument { Folder = folder });

    /// <summary>Opens the state file, or starts a new one; refuses a file written for another folder.</summary>
    public static async Task<ImportState> OpenAsync(string path, string folder, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return new ImportState(path, new StateDocument { Folder = folder });
        }
        StateDocument? document;
        try
        {
            await using var stream = File.OpenRead(path);
            document = await JsonSerializer.DeserializeAsync<StateDocument>(stream, Json, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new ImportStateException($"State file {path} is not a valid import state: {e.Message}");
        }
        if (document is null || document.Version != StateDocument.CurrentVersion)
        {
            throw new ImportStateException($"State file {path} is not a version {StateDocument.CurrentVersion} import state");
        }
        if (!string.Equals(document.Folder, folder, StringComparison.Ordinal))
        {
            throw new ImportStateException($"State file {path} belongs to the import of {document.Folder}, not {folder}; pass another --state");
        }
        return new ImportState(path, document);
    }

    /// <summary>
    /// The checkpoint of one phase. A phase that started under another fingerprint (its file changed, or a batch
    /// size or the cut-off) would number its batches differently, so it is refused rather than guessed.
    /// </summary>
    public PhaseCheckpoint For(string phase, string fingerprint)
    {
        lock (_gate)
        {
            if (!_document.Phases.TryGetValue(phase, out var checkpoint))
            {
                checkpoint = new PhaseCheckpoint { Fingerprint = fingerprint };
                _document.Phases[phase] = checkpoint;
            }
            else if (checkpoint.Fingerprint != fingerprint)
            {
                throw new ImportStateException(
                    $"The state of phase {phase} was written for other input or options ({checkpoint.Fingerprint}, now {fingerprint}); " +
                    "restore the file and options of that run, or start with a new --state");
            }
            return checkpoint;
        }
    }

    public bool IsDone(PhaseCheckpoint checkpoint, long batch)
    {
        lock (_gate)
        {
            return batch < checkpoint.Watermark || checkpoint.Done.Contains(batch);
        }
    }

    public Task CompleteBatchAsync(PhaseCheckpoint checkpoint, long batch)
        => UpdateAsync(() =>
        {
            checkpoint.Done.Add(batch);
            while (checkpoint.Done.Remove(checkpoint.Watermark))
            {
                checkpoint.Watermark++;
            }
        });

    public Task CompletePhaseAsync(PhaseCheckpoint checkpoint) => UpdateAsync(() => checkpoint.Completed = true);

    /// <summary>Input lines up to this number already have their validation reject written (no duplicates on resume).</summary>
    public Task RecordInputRejectAsync(PhaseCheckpoint checkpoint, long line)
        => UpdateAsync(() => checkpoint.InputRejectsThroughLine = Math.Max(checkpoint.InputRejectsThroughLine, line));

    public bool IsInputRejectRecorded(PhaseCheckpoint checkpoint, long line)
    {
        lock (_gate)
        {
            return line <= checkpoint.InputRejectsThroughLine;
        }
    }

    // Group commit: each caller returns once a write that includes its change is on disk; changes that arrive while
    // a write is under way share the next one.
    private Task UpdateAsync(Action change)
    {
        if (_path is null)
        {
            lock (_gate)
            {
                change();
            }
            return Task.CompletedTask;
        }
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            change();
            _waiting.Add((++_version, written));
        }
        _dirty.Release();
        return written.Task;
    }

    private void WriteLoop()
    {
        while (true)
        {
            try
            {
                _dirty.Wait(_closing.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            string json;
            long version;
            List<TaskCompletionSource> done;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    continue;
                }
                json = JsonSerializer.Serialize(_document, Json);
                version = _version;
                done = [.. _waiting.Where(w => w.Version <= version).Select(w => w.Written)];
                _waiting.RemoveAll(w => w.Version <= version);
            }
            try
            {
                var temporary = _path + ".tmp";
                File.WriteAllText(temporary, json);
                File.Move(temporary, _path!, overwrite: true);
                done.ForEach(w => w.SetResult());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                done.ForEach(w => w.SetException(new ImportStateException($"Cannot write the state file {_path}: {e.Message}")));
            }
        }
    }

    public void Dispose()
    {
        _closing.Cancel();
        _writer.Wait();
        _closing.Dispose();
        _dirty.Dispose();
    }

    private sealed class StateDocument
    {
        public const int CurrentVersion = 1;

        public int Version { get; set; } = CurrentVersion;

        public string Folder { get; set; } = "";

        public Dictionary<string, PhaseCheckpoint> Phases { get; set; } = [];
    }
}

internal sealed class PhaseCheckpoint
{
    public string Fingerprint { get; set; } = "";

    public long Watermark { get; set; }

    [JsonPropertyName("done")]
    public SortedSet<long> Done { get; set; } = [];

    public bool Completed { get; set; }

    public long InputRejectsThroughLine { get; set; }
}

/// <summary>The state file cannot be used for this run; the message says why and what to do.</summary>
internal sealed class ImportStateException(string message) : Exception(message);
