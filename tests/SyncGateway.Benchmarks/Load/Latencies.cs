namespace SyncGateway.Benchmarks.Load;

/// <summary>Latency samples in milliseconds, recorded from many threads.</summary>
internal sealed class Latencies
{
    private readonly Lock _lock = new();
    private readonly List<double> _samples = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _samples.Count;
            }
        }
    }

    public void Add(double milliseconds)
    {
        lock (_lock)
        {
            _samples.Add(milliseconds);
        }
    }

    public LatencySummary Summarise()
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _samples];
        }
        Array.Sort(sorted);
        return sorted.Length == 0
            ? new LatencySummary(0, double.NaN, double.NaN, double.NaN)
            : new LatencySummary(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
    }

    // Nearest rank: the smallest sample with at least p of all samples at or below it.
    private static double Percentile(double[] sorted, double p)
        => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>Latency percentiles in milliseconds.</summary>
internal sealed record LatencySummary(int Samples, double P50, double P99, double Max);
