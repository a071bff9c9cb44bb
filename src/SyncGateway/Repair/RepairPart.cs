namespace SyncGateway.Repair;

/// <summary>
/// One part of a repair command's run (its groups, its 1:1 conversations) as the progress display sees it: how many
/// it has to do and how many are done. Written by the run, read by the display from another thread.
/// </summary>
internal sealed class RepairPart(string name) : IProgress<long>
{
    private long _total = -1;
    private long _done;
    private volatile bool _finished;

    public string Name => name;

    public bool Started => Interlocked.Read(ref _total) >= 0;

    public bool Finished => _finished;

    public long Total => Math.Max(0, Interlocked.Read(ref _total));

    public long Done => Interlocked.Read(ref _done);

    public void Start(long total) => Interlocked.Exchange(ref _total, total);

    /// <summary>One more item done (each report of a repairer is one conversation finished).</summary>
    public void Report(long value) => Interlocked.Increment(ref _done);

    public void Finish() => _finished = true;
}
