using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Benchmarks.Load;
using SyncGateway.Fakes;

namespace SyncGateway.Benchmarks.Scenarios;

/// <summary>
/// The intake while the broker is stopped, then the drain of what it spooled once the broker is back.
/// <see cref="Outage"/> is the ingress method (warm-up, closed-loop maximum, open loop at half of it) on a gateway whose
/// <c>RabbitMq__Uri</c> points at a loopback port where nothing listens, so every callback is written to the spool.
/// <see cref="Answered"/> and <see cref="Refused"/> count every callback sent to it, warm-up included; <see cref="Depth"/>
/// and <see cref="DepthBytes"/> are what its <c>/health/ready</c> reported as spooled before it was stopped (SIGTERM),
/// which took <see cref="StopSeconds"/> (<see cref="StoppedByItself"/> false: killed after 20 s).
/// </summary>
internal sealed record SpoolResult(
    int Clients,
    IngressRun Outage,
    long Answered,
    long Refused,
    long Depth,
    long DepthBytes,
    double StopSeconds,
    bool StoppedByItself,
    SpoolDrainResult Drain);

/// <summary>
/// A new gateway on the same spool file, with the broker and the relay running: the times are from its launch to ready,
/// to its spool reported empty (everything forwarded to RabbitMQ) and to the last event the stub legacy system accepted.
/// <see cref="Events"/> distinct CloudEvent ids arrived, <see cref="Duplicates"/> arrivals repeated an id,
/// <see cref="Missing"/> callbacks answered OK never arrived, and <see cref="Unexpected"/> arrived without having been
/// answered OK (a callback the client gave up on that the gateway spooled all the same). <see cref="Cpu"/>: from ready
/// to the last arrival.
/// </summary>
internal sealed record SpoolDrainResult(
    int Events,
    int Duplicates,
    int Missing,
    int Unexpected,
    double ReadySeconds,
    double? EmptySeconds,
    double DeliveredSeconds,
    bool Drained,
    CpuUsage Cpu)
{
    /// <summary>Distinct events at legacy per second, from the gateway's launch to the last arrival.</summary>
    public double PerSecond => DeliveredSeconds > 0 ? Events / DeliveredSeconds : 0;
}

internal static partial class Spool
{
    public static async Task<SpoolResult> RunAsync(BenchRig rig, BenchmarkProfile profile, Func<long> next)
    {
        var spoolFile = Path.Combine(rig.WorkDirectory, "spool-outage.db");
        var answeredOk = new ConcurrentDictionary<long, bool>();
        long answered = 0, refused = 0;
        IngressRun outage;
        (long Events, long Bytes) depth;
        double stopSeconds;
        bool stoppedByItself;

        var unreachable = UnreachableBroker();
        await using (var gateway = await rig.StartGatewayAsync("spool-outage", profile.Clients, new Dictionary<string, string>
        {
            ["RabbitMq__Uri"] = unreachable.ToString(),
            ["Spool__Path"] = spoolFile,
        }))
        {
            await EnsureRefusedAsync(unreachable);
            var traffic = new ImCallbackTraffic(gateway.Http, BenchRig.SdkAppId, BenchRig.CallbackToken);
            async Task<bool> Post(long n)
            {
                var ok = await traffic.PostAsync(n);
                if (ok)
                {
                    answeredOk[n] = true;
                }
                Interlocked.Increment(ref ok ? ref answered : ref refused);
                return ok;
            }
            outage = await Ingress.MeasureAsync("broker stopped", rig, gateway, Post, profile, next, () => Task.CompletedTask);
            depth = await SpoolDepthAsync(gateway.Http);
            var stopping = Stopwatch.StartNew();
            stoppedByItself = await gateway.Process.StopAsync();
            stopSeconds = stopping.Elapsed.TotalSeconds;
        }
        Console.WriteLine($"  spool after the outage: {depth.Events:N0} events ({depth.Bytes / (1 << 20):N0} MB), {answered:N0} answered OK, {refused:N0} not; stopped in {stopSeconds:F1} s");

        var drain = await DrainAsync(rig, profile, spoolFile, answeredOk, depth.Events);
        Console.WriteLine($"  spool drain: {drain.Events:N0} events at legacy in {drain.DeliveredSeconds:F1} s ({drain.PerSecond:F0}/s), " +
                          $"{drain.Duplicates} duplicates, {drain.Missing} missing{(drain.Drained ? "" : ", NOT drained")}");
        return new SpoolResult(profile.Clients, outage, answered, refused, depth.Events, depth.Bytes, stopSeconds, stoppedByItself, drain);
    }

    /// <summary>
    /// Starts the gateway with the rig's broker on the outage's spool file and waits until every callback answered OK
    /// (and everything the spool held) has reached the stub legacy system, or until nothing arrives for the profile's
    /// drain time, or five times that in all.
    /// </summary>
    private static async Task<SpoolDrainResult> DrainAsync(BenchRig rig, BenchmarkProfile profile, string spoolFile, ConcurrentDictionary<long, bool> expected, long depth)
    {
        var gate = new Lock();
        var arrivals = new Dictionary<string, int>(StringComparer.Ordinal);
        var duplicates = 0;
        var unexpected = 0;
        var lastArrival = 0L;
        void OnAccepted(ReceivedCloudEvent received)
        {
            var n = ImCallbackTraffic.SequenceOf(received.Data);
            lock (gate)
            {
                var count = arrivals[received.Id] = arrivals.GetValueOrDefault(received.Id) + 1;
                if (count > 1)
                {
                    duplicates++;
                }
                else if (n is not { } item || !expected.TryRemove(item, out _))
                {
                    unexpected++;
                }
                lastArrival = Stopwatch.GetTimestamp();
            }
        }
        int Distinct()
        {
            lock (gate)
            {
                return arrivals.Count;
            }
        }

        rig.Legacy.EventAccepted += OnAccepted;
        try
        {
            double readySeconds, deliveredSeconds;
            double? emptySeconds = null;
            bool drained;
            CpuUsage cpu;
            await using (var gateway = await rig.StartGatewayAsync("spool-drain", profile.Clients, new Dictionary<string, string> { ["Spool__Path"] = spoolFile }))
            {
                var launchedAt = gateway.Process.LaunchedAt;
                readySeconds = Stopwatch.GetElapsedTime(launchedAt).TotalSeconds;
                var meter = CpuMeter.Start(gateway.Process.ProcessId);
                var total = Stopwatch.StartNew();
                var progress = Stopwatch.StartNew();
                var seen = Distinct();
                bool Done() => expected.IsEmpty && Distinct() >= depth;
                while (!Done() && progress.Elapsed < profile.Drain && total.Elapsed < 5 * profile.Drain)
                {
                    await Task.Delay(250);
                    if (emptySeconds is null && (await SpoolDepthAsync(gateway.Http)).Events == 0)
                    {
                        emptySeconds = Stopwatch.GetElapsedTime(launchedAt).TotalSeconds;
                    }
                    if (Distinct() != seen)
                    {
                        seen = Distinct();
                        progress.Restart();
                    }
                }
                drained = Done();
                cpu = meter.Stop();
                lock (gate)
                {
                    deliveredSeconds = lastArrival == 0 ? 0 : Stopwatch.GetElapsedTime(launchedAt, lastArrival).TotalSeconds;
                }
                if (emptySeconds is null && (await SpoolDepthAsync(gateway.Http)).Events == 0)
                {
                    emptySeconds = deliveredSeconds;
                }
            }
            // Counted after the gateway has stopped, so a repeat sent while it shut down is seen too.
            lock (gate)
            {
                return new SpoolDrainResult(arrivals.Count, duplicates, expected.Count, unexpected, readySeconds, emptySeconds, deliveredSeconds, drained, cpu);
            }
        }
        finally
        {
            rig.Legacy.EventAccepted -= OnAccepted;
        }
    }

    /// <summary>A loopback AMQP address where nothing listens: to the gateway, a stopped broker (connection refused).</summary>
    private static Uri UnreachableBroker()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        return new Uri(string.Create(CultureInfo.InvariantCulture, $"amqp://guest:guest@127.0.0.1:{port}/"));
    }

    /// <summary>Checks that the port still refuses connections (nothing took it since it was chosen).</summary>
    private static async Task EnsureRefusedAsync(Uri broker)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, broker.Port);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return;
        }
        throw new InvalidOperationException($"something listens on {broker.Port}, the port chosen as the stopped broker's");
    }

    /// <summary>The spool's depth and bytes as the gateway reports them in <c>/health/ready</c> (<c>checks.spool.description</c>).</summary>
    private static async Task<(long Events, long Bytes)> SpoolDepthAsync(HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var description = body.GetProperty("checks").GetProperty("spool").GetProperty("description").GetString() ?? "";
        if (description == "empty")
        {
            return (0, 0);
        }
        var match = DepthPattern().Match(description);
        return match.Success
            ? (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture))
            : throw new InvalidOperationException($"unexpected spool description in /health/ready: \"{description}\"");
    }

    // "12345 events (678 bytes), the oldest 9 s old", or the same after "full: ".
    [GeneratedRegex(@"(\d+) events \((\d+) bytes\)")]
    private static partial Regex DepthPattern();
}
