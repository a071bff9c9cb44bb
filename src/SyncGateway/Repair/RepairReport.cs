using System.Collections.Concurrent;
using SyncGateway.Im;

namespace SyncGateway.Repair;

/// <summary>What a repair found for one missing seq or history message.</summary>
internal enum RepairOutcome
{
    /// <summary>Never relayed: published into the relay path as a repaired event.</summary>
    Repaired,

    /// <summary>Never relayed (a dry run publishes nothing).</summary>
    Missing,

    /// <summary>Relayed already (or in the relay path): nothing to do.</summary>
    AlreadyRelayed,

    /// <summary>The gateway's own write to IM (legacy → IM), or a message the history import wrote: never relayed back.</summary>
    OwnWrite,

    /// <summary>A group tip (join, quit, profile notice): no message callback exists for it.</summary>
    System,

    /// <summary>Recalled in IM before it was relayed: not relayed.</summary>
    Recalled,

    /// <summary>Deleted, expired from roaming, not listed by IM, or unreadable: recorded, not retried.</summary>
    Unrepairable,
}

/// <summary>Counts by outcome, IM calls by API, and the items found missing; safe to add to from parallel work.</summary>
internal sealed class RepairReport
{
    private readonly ConcurrentDictionary<RepairOutcome, long> _outcomes = new();
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _missing = new();

    public IReadOnlyDictionary<RepairOutcome, long> Outcomes => _outcomes;

    /// <summary>IM REST calls made, by API (<c>service/command</c>).</summary>
    public IReadOnlyDictionary<string, long> Calls => _calls;

    /// <summary>Each missing (or repaired) item: <c>msgKey …</c> or <c>group … msgSeq …</c>.</summary>
    public IReadOnlyCollection<string> MissingItems => _missing;

    public long Count(RepairOutcome outcome) => _outcomes.GetValueOrDefault(outcome);

    /// <summary>Total items looked at.</summary>
    public long Total => _outcomes.Values.Sum();

    public void Add(RepairOutcome outcome, string? item = null)
    {
        _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        if (item is not null && outcome is RepairOutcome.Repaired or RepairOutcome.Missing)
        {
            _missing.Enqueue(item);
        }
    }

    public void Called(ImApi api) => _calls.AddOrUpdate(api.ToString(), 1, (_, n) => n + 1);

    public void Merge(RepairReport other)
    {
        ArgumentNullException.ThrowIfNull(other);
        foreach (var (outcome, n) in other._outcomes)
        {
            _outcomes.AddOrUpdate(outcome, n, (_, m) => m + n);
        }
        foreach (var (api, n) in other._calls)
        {
            _calls.AddOrUpdate(api, n, (_, m) => m + n);
        }
        foreach (var item in other._missing)
        {
            _missing.Enqueue(item);
        }
    }

    public override string ToString()
        => string.Join(", ", Enum.GetValues<RepairOutcome>().Where(o => Count(o) > 0).Select(o => $"{Names.Of(o)} {Count(o)}"))
           + (_calls.IsEmpty ? "" : "; IM calls: " + string.Join(", ", _calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}")));

    /// <summary>The outcome names of metrics, logs and the CLI.</summary>
    public static class Names
    {
        public static string Of(RepairOutcome outcome) => outcome switch
        {
            RepairOutcome.Repaired => "repaired",
            RepairOutcome.Missing => "missing",
            RepairOutcome.AlreadyRelayed => "already-relayed",
            RepairOutcome.OwnWrite => "own-write",
            RepairOutcome.System => "system",
            RepairOutcome.Recalled => "recalled",
            _ => "unrepairable",
        };
    }
}
