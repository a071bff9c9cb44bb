using System.Diagnostics;
using System.Globalization;

namespace SyncGateway.Benchmarks.Infrastructure;

/// <summary>CPU used during a measured run, in cores (1.0 = one core busy all the time).</summary>
/// <param name="Gateway">The gateway process (zero when none ran), or the child processes that exited during the run.</param>
/// <param name="Broker">All RabbitMQ (beam.smp) processes.</param>
/// <param name="Redis">All redis-server processes.</param>
/// <param name="Benchmark">This process: load generator and stubs.</param>
/// <param name="Machine">Every process on the machine, including other people's work.</param>
internal sealed record CpuUsage(double Gateway, double Broker, double Redis, double Benchmark, double Machine);

/// <summary>Reads CPU time from /proc before and after a run (Linux; clock ticks of 1/100 s).</summary>
internal sealed class CpuMeter
{
    private const double TicksPerSecond = 100;

    private readonly int? _gatewayPid;
    private readonly bool _exitedChildren;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Snapshot _before;

    private CpuMeter(int? gatewayPid, bool exitedChildren)
    {
        _gatewayPid = gatewayPid;
        _exitedChildren = exitedChildren;
        _before = Take();
    }

    public static CpuMeter Start(int? gatewayPid = null) => new(gatewayPid, exitedChildren: false);

    /// <summary>For a child process that exits before <see cref="Stop"/>: /proc forgets it, but its time is added to ours.</summary>
    public static CpuMeter StartForExitingChild() => new(null, exitedChildren: true);

    public CpuUsage Stop()
    {
        var after = Take();
        var seconds = Stopwatch.GetElapsedTime(_start).TotalSeconds;
        double Cores(long before, long now) => (now - before) / TicksPerSecond / seconds;
        return new CpuUsage(
            Cores(_before.Gateway, after.Gateway),
            Cores(_before.Broker, after.Broker),
            Cores(_before.Redis, after.Redis),
            Cores(_before.Benchmark, after.Benchmark),
            Cores(_before.MachineBusy, after.MachineBusy));
    }

    private sealed record Snapshot(long Gateway, long Broker, long Redis, long Benchmark, long MachineBusy);

    private Snapshot Take()
    {
        long broker = 0, redis = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            var comm = Read($"{dir}/comm")?.Trim();
            if (comm == "beam.smp")
            {
                broker += Ticks(pid);
            }
            else if (comm == "redis-server")
            {
                redis += Ticks(pid);
            }
        }
        var gateway = _exitedChildren ? Ticks(Environment.ProcessId, children: true) : _gatewayPid is { } g ? Ticks(g) : 0;
        return new Snapshot(gateway, broker, redis, Ticks(Environment.ProcessId), MachineBusyTicks());
    }

    // utime and stime are fields 14 and 15 of /proc/<pid>/stat, cutime and cstime (exited, waited-for children) 16
    // and 17; the command name (field 2) may contain spaces.
    private static long Ticks(int pid, bool children = false)
    {
        var stat = Read($"/proc/{pid}/stat");
        if (stat is null)
        {
            return 0;
        }
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var first = children ? 13 : 11;
        return long.Parse(fields[first], CultureInfo.InvariantCulture) + long.Parse(fields[first + 1], CultureInfo.InvariantCulture);
    }

    private static long MachineBusyTicks()
    {
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal …: busy is everything but idle and iowait.
        return cpu.Take(8).Sum() - cpu[3] - cpu[4];
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
