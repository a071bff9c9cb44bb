using System.Collections.Concurrent;
using System.Diagnostics;

namespace SyncGateway.Import;

internal enum PhaseStatus
{
    /// <summary>Waiting for the earlier phases.</summary>
    Pending,

    /// <summary>No input file in the folder.</summary>
    NoInput,

    /// <summary>Left out by <c>--only</c>.</summary>
    NotSelected,

    /// <summary>Finished in an earlier run (state file).</summary>
    AlreadyDone,

    Running,
    Completed,
    Stopped,
    Failed,
}

/// <summary>Live counters of one phase; written by the runner, read by the progress display and the summary.</summary>
internal sealed class PhaseProgress(string name)
{
    public const int MaxErrorsKept = 100;

    private readonly ConcurrentQueue<string> _errors = new();
    private long _bytesRead;
    private long _lines;
    private long _items;
    private long _calls;
    private long _rejects;
    private long _invalid;
    private long _cutOff;
    private long _resumed;
    private long _batches;
    private long _startedAt;
    private long _endedAt;

    public string Name { get; } = name;

    public string FileName => ImportPhases.FileName(Name);

    public PhaseStatus Status { get; set; } = PhaseStatus.Pending;

    public long TotalBytes { get; set; }

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Input lines read.</summary>
    public long Lines => Interlocked.Read(ref _lines);

    /// <summary>Items IM accepted (in dry runs: items that would be sent).</summary>
    public long Items => Interlocked.Read(ref _items);

    /// <summary>IM calls made, retries included (in dry runs: calls that would be made).</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Items written to the rejects file: refused by IM or invalid.</summary>
    public long Rejects => Interlocked.Read(ref _rejects);

    /// <summary>Lines that failed validation.</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <summary>Message lines at or after <c>--until</c>, left to the live sync.</summary>
    public long CutOff => Interlocked.Read(ref _cutOff);

    /// <summary>Items in batches an earlier run finished.</summary>
    public long Resumed => Interlocked.Read(ref _resumed);

    /// <summary>Batches planned.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>The first <see cref="MaxErrorsKept"/> validation errors, as <c>file:line: problem</c>.</summary>
    public IReadOnlyCollection<string> Errors => _errors;

    /// <summary>Why the phase stopped, when it did not complete.</summary>
    public string? StopReason { get; set; }

    public TimeSpan Elapsed => _startedAt == 0
        ? TimeSpan.Zero
        : Stopwatch.GetElapsedTime(_startedAt, _endedAt == 0 ? Stopwatch.GetTimestamp() : _endedAt);

    public double CallsPerSecond => Elapsed.TotalSeconds > 0 ? Calls / Elapsed.TotalSeconds : 0;

    public void Start(long totalBytes)
    {
        TotalBytes = totalBytes;
        Status = PhaseStatus.Running;
        _startedAt = Stopwatch.GetTimestamp();
    }

    public void End(PhaseStatus status, string? reason = null)
    {
        _endedAt = Stopwatch.GetTimestamp();
        StopReason = reason;
        Status = status;
    }

    public void SetBytesRead(long bytes) => Interlocked.Exchange(ref _bytesRead, bytes);

    public void AddLine() => Interlocked.Increment(ref _lines);

    public void AddItems(long count) => Interlocked.Add(ref _items, count);

    public void AddCall() => Interlocked.Increment(ref _calls);

    public void AddRejects(long count) => Interlocked.Add(ref _rejects, count);

    public void AddCutOff() => Interlocked.Increment(ref _cutOff);

    public void AddResumed(long count) => Interlocked.Add(ref _resumed, count);

    public void AddBatch() => Interlocked.Increment(ref _batches);

    public void AddInvalid(string error)
    {
        if (Interlocked.Increment(ref _invalid) <= MaxErrorsKept)
        {
            _errors.Enqueue(error);
        }
    }
}
