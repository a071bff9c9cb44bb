using System.CommandLine;
using System.Diagnostics;
using SyncGateway.Benchmarks;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Benchmarks.Reporting;
using SyncGateway.Benchmarks.Scenarios;

string[] scenarioNames = ["ingress", "limit", "spool", "im-to-legacy", "legacy-to-im", "echo", "large-bodies", "import"];

var quick = new Option<bool>("--quick") { Description = "Small counts and short runs (about 2 minutes) instead of the full profile" };
var gateway = new Option<FileInfo>("--gateway") { Description = "The published SyncGateway.dll (run.sh publishes it Release)", Required = true };
var results = new Option<DirectoryInfo>("--results") { Description = "Where the Markdown and JSON results go", Required = true };
var only = new Option<string[]>("--only")
{
    Description = "Run only these scenarios: " + string.Join(", ", scenarioNames),
    AllowMultipleArgumentsPerToken = true,
};
only.Validators.Add(result =>
{
    foreach (var name in result.Tokens.SelectMany(t => t.Value.Split(',')).Where(n => !scenarioNames.Contains(n)))
    {
        result.AddError($"Unknown scenario \"{name}\"; scenarios are {string.Join(", ", scenarioNames)}");
    }
});
var queueType = new Option<string>("--queue-type")
{
    Description = "Relay queues of every gateway and the broker limit's queues: classic (the default) or quorum",
    DefaultValueFactory = _ => "classic",
};
queueType.AcceptOnlyFromAmong("classic", "quorum");
var cluster = new Option<bool>("--cluster") { Description = "Run against the local three-node RabbitMQ cluster (deploy/local/services.sh cluster-start) instead of the single node" };
var importRate = new Option<int?>("--import-rate") { Description = "Calls per second the stub IM allows per import API (default 2000)" };
var keep = new Option<bool>("--keep-work") { Description = "Keep the gateway logs and the generated import folder" };
var settings = new Option<string[]>("--gateway-setting")
{
    Description = "Extra Section__Key=value for every gateway process (e.g. Sync__Shards=64), to try a tuning",
    AllowMultipleArgumentsPerToken = true,
};
settings.Validators.Add(result =>
{
    foreach (var bad in result.Tokens.Where(t => !t.Value.Contains('=', StringComparison.Ordinal)))
    {
        result.AddError($"--gateway-setting \"{bad.Value}\" is not Section__Key=value");
    }
});

var root = new RootCommand("SyncGateway benchmarks: relay rates against the broker's own limit, on real RabbitMQ and Redis")
{
    quick, gateway, results, only, keep, settings, importRate, queueType, cluster,
};
root.SetAction((parse, _) =>
{
    var selected = parse.GetValue(only) is { Length: > 0 } names ? names.SelectMany(n => n.Split(',')).ToHashSet() : scenarioNames.ToHashSet();
    var extra = (parse.GetValue(settings) ?? []).Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    var quorum = parse.GetValue(queueType) == "quorum";
    if (quorum)
    {
        extra["RabbitMq__QueueType"] = "quorum";
    }
    if (parse.GetValue(cluster))
    {
        try
        {
            extra["RabbitMq__ClusterNodes"] = BenchServices.UseCluster();
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine(e.Message);
            return Task.FromResult(1);
        }
    }
    var profile = parse.GetValue(quick) ? BenchmarkProfile.Quick : BenchmarkProfile.Full;
    if (parse.GetValue(importRate) is { } rate)
    {
        profile = profile with { ImportCallsPerSecond = rate };
    }
    return RunAsync(profile, parse.GetRequiredValue(gateway),
        parse.GetRequiredValue(results), selected, parse.GetValue(keep), extra, quorum);
});
return await root.Parse(args).InvokeAsync();

static async Task<int> RunAsync(
    BenchmarkProfile profile, FileInfo gatewayDll, DirectoryInfo resultsFolder, IReadOnlySet<string> selected, bool keepWork, IReadOnlyDictionary<string, string> gatewaySettings, bool quorum)
{
    if (!gatewayDll.Exists)
    {
        await Console.Error.WriteLineAsync($"--gateway {gatewayDll.FullName} does not exist: publish the gateway first (run.sh does)");
        return 1;
    }
    try
    {
        _ = BenchServices.RabbitMq;
        _ = BenchServices.Redis;
    }
    catch (InvalidOperationException e)
    {
        await Console.Error.WriteLineAsync(e.Message);
        return 1;
    }
    // The stubs answer from this process's pool: without spare threads a burst waits for thread injection.
    ThreadPool.SetMinThreads(8 * profile.Clients, 8 * profile.Clients);
    var clock = Stopwatch.StartNew();
    var report = new BenchmarkReport(await RunEnvironment.CaptureAsync(profile.Name, gatewayDll.FullName, gatewaySettings));
    var work = Directory.CreateTempSubdirectory("syncgw-bench-").FullName;
    Console.WriteLine($"Benchmark ({profile.Name}) on {report.Environment.Cores} cores; work folder {work}");
    long imSequence = 0;
    try
    {
        await using var rig = await BenchRig.StartAsync(gatewayDll.FullName, work, gatewaySettings);
        if (selected.Contains("ingress"))
        {
            Console.WriteLine("Ingress…");
            report.Ingress = await Ingress.RunAsync(rig, profile, () => Interlocked.Increment(ref imSequence));
        }
        if (selected.Contains("limit"))
        {
            Console.WriteLine("Broker limit…");
            report.Limit = await BrokerLimit.RunAsync(
                profile, profile.Clients, report.Ingress?.EnvelopeBytes ?? 2048, report.Ingress?.RelayQueues ?? 32, report.Ingress?.Intake.HalfOfferedPerSecond, quorum);
        }
        if (selected.Contains("spool"))
        {
            Console.WriteLine("Ingress with the broker stopped, then the spool's drain…");
            report.Spool = await Spool.RunAsync(rig, profile, () => Interlocked.Increment(ref imSequence));
        }
        // The relay scenarios load a fraction of what the whole pipeline sustains end to end (the relay, not the
        // intake, is its narrower part); without an ingress run, a modest fixed load.
        var endToEndMax = report.Ingress?.WithRelay.RelayedPerSecond ?? 1000;
        if (selected.Overlaps(["im-to-legacy", "legacy-to-im", "echo"]))
        {
            await using var relay = await Relay.StartAsync(rig, profile, imSequence + 1_000_000);
            if (selected.Contains("im-to-legacy"))
            {
                Console.WriteLine("End to end IM → legacy…");
                report.ImToLegacy = await relay.ImToLegacyAsync(endToEndMax * BenchmarkProfile.HalfLoad);
            }
            if (selected.Contains("legacy-to-im"))
            {
                Console.WriteLine("End to end legacy → IM…");
                report.LegacyToIm = await relay.LegacyToImAsync(endToEndMax * BenchmarkProfile.HalfLoad);
            }
            if (selected.Contains("echo"))
            {
                Console.WriteLine("Echo suppression…");
                report.Echo = await relay.EchoAsync(endToEndMax * BenchmarkProfile.EchoLoad);
            }
        }
        if (selected.Contains("large-bodies"))
        {
            Console.WriteLine("Large bodies…");
            report.LargeBodies = await LargeBodies.RunAsync(rig, profile, () => Interlocked.Increment(ref imSequence));
        }
        if (selected.Contains("import"))
        {
            Console.WriteLine("Import…");
            report.Import = await Import.RunAsync(rig, profile);
        }
    }
    finally
    {
        if (!keepWork)
        {
            Directory.Delete(work, recursive: true);
        }
    }

    report.Duration = clock.Elapsed;
    report.LoadAverageAtEnd = RunEnvironment.LoadAverage();
    resultsFolder.Create();
    var name = $"benchmark-{profile.Name}-{report.Environment.StartedAt:yyyyMMdd-HHmmss}";
    await File.WriteAllTextAsync(Path.Combine(resultsFolder.FullName, name + ".md"), report.ToMarkdown());
    await File.WriteAllTextAsync(Path.Combine(resultsFolder.FullName, name + ".json"), report.ToJson());
    Console.WriteLine();
    Console.WriteLine(report.ToMarkdown());
    Console.WriteLine($"Written to {Path.Combine(resultsFolder.FullName, name)}.md and .json");
    return 0;
}
