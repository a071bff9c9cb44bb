using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Fakes.Im;
using SyncGateway.Fakes.Import;

namespace SyncGateway.Benchmarks.Scenarios;

/// <summary>Calls one IM API received during the import, and the rate they came at.</summary>
/// <param name="Api">The API (<see cref="FakeImApis"/>).</param>
/// <param name="Calls">Every call that reached the stub.</param>
/// <param name="RateLimited">Calls the stub refused with 60007 (over its enforced limit).</param>
/// <param name="Failed">Calls refused for another reason.</param>
/// <param name="CallsPerSecond">
/// Calls after the first window divided by the time from the first call to the last: the limiter lets a full
/// window's worth start at once, so counting those would overstate the sustained rate. Null for APIs with too few
/// calls (under five windows) to say.
/// </param>
/// <param name="Seconds">From the first call to the last.</param>
internal sealed record ImportApiResult(string Api, int Calls, int RateLimited, int Failed, double? CallsPerSecond, double Seconds);

internal sealed record ImportResult(
    ImportSampleSize Size,
    int Limit,
    int Parallelism,
    int ExitCode,
    TimeSpan Elapsed,
    int Calls,
    int RateLimitViolations,
    IReadOnlyList<ImportApiResult> Apis,
    CpuUsage Cpu)
{
    /// <summary>The dominant phase (one call per 1:1 message).</summary>
    public ImportApiResult Messages => Apis.Single(a => a.Api == FakeImApis.ImportMsg);

    /// <summary>The accounts phase: its calls (batched, or one per account with a profile in the fallback form).</summary>
    public int AccountCalls => Apis.Where(a => a.Api is FakeImApis.MultiAccountImport or FakeImApis.AccountImport).Sum(a => a.Calls);

    /// <summary>
    /// Accounts per second over the accounts phase: from its first call to its last, plus the one-second rate-limit
    /// window the last calls share (about 100 batched calls can all fit in the first window).
    /// </summary>
    public double AccountsPerSecond => Size.Accounts / Math.Max(0.001, Apis.Where(a => a.Api is FakeImApis.MultiAccountImport or FakeImApis.AccountImport).Max(a => a.Seconds) + 1);
}

internal static class Import
{
    private static readonly string[] ImportApis =
    [
        FakeImApis.MultiAccountImport, FakeImApis.AccountImport, FakeImApis.PortraitSet, FakeImApis.FriendImport, FakeImApis.ImportGroup,
        FakeImApis.ImportGroupMember, FakeImApis.ImportMsg, FakeImApis.AdminSetMsgRead, FakeImApis.ImportGroupMsg,
        FakeImApis.SetUnreadMsgNum,
    ];

    /// <summary>
    /// Generates the history, then runs <c>SyncGateway import</c> as an operator would (a process, the client limited to
    /// the stub's enforced rate on every API) against its own stub IM, which keeps no per-call records.
    /// </summary>
    public static async Task<ImportResult> RunAsync(BenchRig rig, BenchmarkProfile profile)
    {
        var folder = Path.Combine(rig.WorkDirectory, "import-input");
        var generated = Stopwatch.StartNew();
        await ImportSampleGenerator.WriteAsync(folder, profile.ImportSize);
        Console.WriteLine($"  generated {profile.ImportSize} in {generated.Elapsed.TotalSeconds:F0} s");

        await using var im = new FakeImServer(new FakeImOptions { SecretKey = BenchRig.ImSecretKey, RecordCalls = false });
        await im.StartAsync();
        var limit = profile.ImportCallsPerSecond;
        foreach (var api in ImportApis)
        {
            im.EnforceRateLimit(api, limit);
        }
        var stats = new ConcurrentDictionary<string, ApiStats>(StringComparer.Ordinal);
        im.CallObserved = call => stats.GetOrAdd(call.Api, _ => new ApiStats()).Add(call);

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec dotnet \"$0\" import \"$1\" --state \"$2\" --rejects \"$3\" --calls-per-second \"$4\" --parallel \"$5\" >\"$6\" 2>&1");
        start.ArgumentList.Add(rig.GatewayDll);
        start.ArgumentList.Add(folder);
        start.ArgumentList.Add(Path.Combine(rig.WorkDirectory, "import-state.json"));
        start.ArgumentList.Add(Path.Combine(rig.WorkDirectory, "import-rejects.jsonl"));
        start.ArgumentList.Add(limit.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(profile.ImportParallelism.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(Path.Combine(rig.WorkDirectory, "import.log"));
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Im__SdkAppId"] = im.Options.SdkAppId.ToString(CultureInfo.InvariantCulture);
        start.Environment["Im__AdminIdentifier"] = im.Options.AdminIdentifier;
        start.Environment["Im__SecretKey"] = BenchRig.ImSecretKey;
        start.Environment["Im__ApiBaseUrl"] = im.BaseUrl.ToString();

        var elapsed = Stopwatch.StartNew();
        var cpu = CpuMeter.StartForExitingChild();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        // Bounded: at the configured rate the full history needs about 11 minutes.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(profile.Name == "full" ? 40 : 10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the import did not finish in time; see {Path.Combine(rig.WorkDirectory, "import.log")}");
        }
        elapsed.Stop();
        var used = cpu.Stop();

        var apis = ImportApis.Select(api => stats.TryGetValue(api, out var s) ? s.Result(api, limit) : new ImportApiResult(api, 0, 0, 0, null, 0)).ToList();
        return new ImportResult(profile.ImportSize, limit, profile.ImportParallelism, process.ExitCode, elapsed.Elapsed, apis.Sum(a => a.Calls),
            ImportApis.Sum(im.RateLimitViolations), apis, used);
    }

    private sealed class ApiStats
    {
        private readonly Lock _lock = new();
        private int _calls;
        private int _rateLimited;
        private int _failed;
        private long _first = long.MaxValue;
        private long _last;

        public void Add(RecordedImCall call)
        {
            lock (_lock)
            {
                _calls++;
                if (call.ErrorCode == 60007)
                {
                    _rateLimited++;
                }
                else if (call.ErrorCode != 0)
                {
                    _failed++;
                }
                _first = Math.Min(_first, call.ArrivalTimestamp);
                _last = Math.Max(_last, call.ArrivalTimestamp);
            }
        }

        public ImportApiResult Result(string api, int limit)
        {
            lock (_lock)
            {
                var seconds = Stopwatch.GetElapsedTime(_first, _last).TotalSeconds;
                double? rate = _calls >= 5 * limit ? (_calls - limit) / seconds : null;
                return new ImportApiResult(api, _calls, _rateLimited, _failed, rate, _calls > 0 ? seconds : 0);
            }
        }
    }
}
