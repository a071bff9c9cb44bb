using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Benchmarks.Scenarios;

namespace SyncGateway.Benchmarks.Reporting;

/// <summary>One row of the results table; <see cref="Met"/> is null where the issue sets no target.</summary>
internal sealed record ReportRow(string Measurement, string Result, string Target, bool? Met);

/// <summary>Everything one run measured, as the Markdown table and the JSON file it writes.</summary>
internal sealed class BenchmarkReport(RunEnvironment environment)
{
    private const double MiB = 1024 * 1024;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public RunEnvironment Environment { get; } = environment;

    public BrokerLimitResult? Limit { get; set; }

    public IngressResult? Ingress { get; set; }

    public SpoolResult? Spool { get; set; }

    public EndToEndResult? ImToLegacy { get; set; }

    public EndToEndResult? LegacyToIm { get; set; }

    public EchoResult? Echo { get; set; }

    public ImportResult? Import { get; set; }

    public LargeBodiesResult? LargeBodies { get; set; }

    public string? LoadAverageAtEnd { get; set; }

    public TimeSpan Duration { get; set; }

    public IReadOnlyList<ReportRow> Rows()
    {
        var rows = new List<ReportRow>();
        if (Limit is { } limit)
        {
            rows.Add(new ReportRow(
                $"1. Limit: raw RabbitMQ.Client confirmed publish, {limit.Publishers} publishers on {limit.Channels} channel(s), {limit.MessageBytes} B persistent → {(limit.Quorum ? "quorum" : "durable classic")} queue",
                $"**{limit.MessagesPerSecond:N0} msg/s** (p50 {Ms(limit.Latency.P50)}, p99 {Ms(limit.Latency.P99)})", "—", null));
            if (limit.Spread is { } spread)
            {
                rows.Add(new ReportRow(
                    $"1. Limit spread over {spread.Queues} queues, as the intake spreads callbacks over the relay queues: the same publishes, queue by turns",
                    $"**{spread.MessagesPerSecond:N0} msg/s** = {spread.MessagesPerSecond / limit.MessagesPerSecond:F2} × limit (p50 {Ms(spread.Latency.P50)}, p99 {Ms(spread.Latency.P99)})", "—", null));
            }
            if (limit.AtIntakeHalfLoad is { } atRate)
            {
                rows.Add(new ReportRow(
                    $"1. Broker alone at the intake's half-load rate: the same publishes over {atRate.Queues} queues, open loop, {atRate.OfferedPerSecond:N0}/s offered",
                    $"{atRate.MessagesPerSecond:N0}/s confirmed; p50 {Ms(atRate.Latency.P50)}, **p99 {Ms(atRate.Latency.P99)}**, max {Ms(atRate.Latency.Max)}{Failures(atRate.Failed)}",
                    "—", null));
            }
        }
        if (Ingress is { } ingress)
        {
            var intake = ingress.Intake;
            var ratio = Limit is null ? double.NaN : intake.MaxPerSecond / Limit.MessagesPerSecond;
            var spreadRatio = Limit?.Spread is { } spreadLimit ? $" ({intake.MaxPerSecond / spreadLimit.MessagesPerSecond:F2} × the limit spread over {spreadLimit.Queues} queues)" : "";
            rows.Add(new ReportRow(
                $"2. Ingress max: signed callbacks (7-command mix), {ingress.Clients} clients, closed loop, over {ingress.RelayQueues} relay queues; relay held (`Sync__Paused=true`), like the limit run without consumers",
                $"**{intake.MaxPerSecond:N0}/s** = **{ratio:F2} × limit**{spreadRatio}; p50 {Ms(intake.MaxLatency.P50)}, p99 {Ms(intake.MaxLatency.P99)}, max {Ms(intake.MaxLatency.Max)}{Failures(intake.MaxFailed)}{SpoolUse(intake)}",
                "≥ 0.6 × limit", Limit is null ? null : ratio >= 0.6));
            rows.Add(new ReportRow(
                $"2. Ingress at half load: open loop, {intake.HalfOfferedPerSecond:N0}/s offered, relay held",
                $"{intake.HalfAcceptedPerSecond:N0}/s accepted; p50 {Ms(intake.HalfLatency.P50)}, **p99 {Ms(intake.HalfLatency.P99)}**, max {Ms(intake.HalfLatency.Max)}{Failures(intake.HalfFailed)}",
                "p99 < 50 ms", intake.HalfLatency.P99 < 50));
            var relay = ingress.WithRelay;
            var relayRatio = Limit is null ? double.NaN : relay.MaxPerSecond / Limit.MessagesPerSecond;
            rows.Add(new ReportRow(
                "2. Ingress max with the relay running (production configuration: every callback is also relayed to the stub legacy system on the same cores)",
                $"**{relay.MaxPerSecond:N0}/s** = {relayRatio:F2} × limit, while the relay delivered **{relay.RelayedPerSecond:N0}/s** (the end-to-end maximum; the relay scenarios offer fractions of it); p50 {Ms(relay.MaxLatency.P50)}, p99 {Ms(relay.MaxLatency.P99)}, max {Ms(relay.MaxLatency.Max)}{Failures(relay.MaxFailed)}{SpoolUse(relay)}",
                "—", null));
            rows.Add(new ReportRow(
                $"2. Ingress at half load with the relay running: open loop, {relay.HalfOfferedPerSecond:N0}/s offered",
                $"{relay.HalfAcceptedPerSecond:N0}/s accepted; p50 {Ms(relay.HalfLatency.P50)}, p99 {Ms(relay.HalfLatency.P99)}, max {Ms(relay.HalfLatency.Max)}{Failures(relay.HalfFailed)}",
                "—", null));
        }
        if (Spool is { } spool)
        {
            rows.AddRange(SpoolRows(spool));
        }
        if (ImToLegacy is { } toLegacy)
        {
            rows.Add(EndToEndRow("3. End to end IM → legacy: callback POST → stub legacy receives the signed CloudEvent", toLegacy, "p99 < 250 ms", toLegacy.Drained && toLegacy.Latency.P99 < 250));
        }
        if (LegacyToIm is { } toIm)
        {
            rows.Add(EndToEndRow("4. End to end legacy → IM: signed delta POST → stub IM receives the REST call", toIm, "—", null));
        }
        if (Echo is { } echo)
        {
            rows.Add(new ReportRow(
                $"5. Echo suppression: both directions, {echo.OfferedPerSecond:N0}/s genuine offered, every write echoed",
                $"relayed **{echo.RelayedPerSecond:N0}/s** ({echo.Delivered:N0} events); echoes {echo.Echoes:N0} (IM {echo.ImEchoes:N0}, legacy {echo.LegacyEchoes:N0}), " +
                $"suppressed **{echo.SuppressedShare:P2}** (gateway logged {echo.SuppressedLogged:N0}, leaked {echo.Leaked}){(echo.Drained ? "" : ", NOT all accounted for")}",
                "100 % suppressed", echo.Drained && echo.Leaked == 0 && echo.SuppressedLogged == echo.Echoes));
        }
        if (Import is { } import)
        {
            var messages = import.Messages;
            var share = messages.CallsPerSecond / import.Limit;
            rows.Add(new ReportRow(
                $"6. Import: {import.Size.Accounts:N0} accounts, {import.Size.C2CMessages:N0} 1:1 messages, {import.Size.Groups:N0} groups ({import.Size.GroupMessages:N0} group messages), stub limit {import.Limit:N0} calls/s per API, {import.Parallelism} calls in flight",
                $"importmsg **{messages.CallsPerSecond:N0} calls/s = {share:P1} of limit**; accounts **{import.AccountsPerSecond:N0}/s** ({import.AccountCalls:N0} calls); {import.Calls:N0} calls in **{Elapsed(import.Elapsed)}**; " +
                $"rate-limit errors **{import.RateLimitViolations}**; exit code {import.ExitCode}; CPU: import {import.Cpu.Gateway:F2}, stub IM {import.Cpu.Benchmark:F2}, machine {import.Cpu.Machine:F2} cores",
                "≥ 95 % of limit, 0 rate-limit errors", share >= 0.95 && import.RateLimitViolations == 0 && import.ExitCode == 0));
        }
        if (Ingress is { } run)
        {
            var steady = Math.Max(run.Intake.Memory.SteadyRss, run.WithRelay.Memory.SteadyRss);
            rows.Add(new ReportRow(
                "7. Memory: gateway RSS during the ingress runs (relay held / relay running)",
                $"idle {run.Intake.Memory.IdleRss / MiB:N0} / {run.WithRelay.Memory.IdleRss / MiB:N0} MB, peak {run.Intake.Memory.PeakRss / MiB:N0} / {run.WithRelay.Memory.PeakRss / MiB:N0} MB, " +
                $"**steady {run.Intake.Memory.SteadyRss / MiB:N0} / {run.WithRelay.Memory.SteadyRss / MiB:N0} MB** ({run.Intake.Memory.Samples} / {run.WithRelay.Memory.Samples} samples)",
                "steady < 300 MB", steady < 300 * MiB));
            rows.Add(CpuRow("8. CPU in cores (where the time goes) at the ingress max, relay held", run.Intake, Limit));
            rows.Add(CpuRow("8. CPU in cores at the ingress max, relay running", run.WithRelay, null));
        }
        if (LargeBodies is { } large)
        {
            var ratio = (double)large.SteadyRssAfter / large.IdleRss;
            rows.Add(new ReportRow(
                $"7. Memory after a burst of maximum-size bodies: {large.Callbacks:N0} callbacks of {large.CallbackBytes / 1024:N0} KiB and {large.Deltas:N0} deltas of {large.DeltaBytes / 1024:N0} KiB, relay held, then idle",
                $"idle {large.IdleRss / MiB:N0} MB, peak {large.PeakRss / MiB:N0} MB, **steady after {large.SteadyRssAfter / MiB:N0} MB = {ratio:F2} × idle** ({large.Refused} not accepted)",
                "≤ 1.5 × idle", ratio <= 1.5));
        }
        return rows;
    }

    private IEnumerable<ReportRow> SpoolRows(SpoolResult spool)
    {
        var outage = spool.Outage;
        var beside = (Limit is null ? "" : $" = {outage.MaxPerSecond / Limit.MessagesPerSecond:F2} × limit")
                     + (Ingress is null ? "" : $" ({outage.MaxPerSecond / Ingress.Intake.MaxPerSecond:F2} × the ingress max with the broker, relay held)");
        var cpu = outage.MaxCpu;
        yield return new ReportRow(
            $"2. Ingress max with the broker stopped: the same callbacks, {spool.Clients} clients, closed loop; `RabbitMq__Uri` at a loopback port where nothing listens (connection refused), so every event is written to the spool (SQLite, fsynced) before the OK",
            $"**{outage.MaxPerSecond:N0}/s** into the spool{beside}; p50 {Ms(outage.MaxLatency.P50)}, **p99 {Ms(outage.MaxLatency.P99)}**, max {Ms(outage.MaxLatency.Max)}{Failures(outage.MaxFailed)}; " +
            $"gateway {cpu.Gateway:F2} cores ({Micro(cpu.Gateway, outage.MaxPerSecond)} per callback), whole machine {cpu.Machine:F2}; gateway RSS steady {outage.Memory.SteadyRss / MiB:N0} MB, peak {outage.Memory.PeakRss / MiB:N0} MB",
            "—", null);
        yield return new ReportRow(
            $"2. Ingress at half load with the broker stopped: open loop, {outage.HalfOfferedPerSecond:N0}/s offered",
            $"{outage.HalfAcceptedPerSecond:N0}/s accepted; p50 {Ms(outage.HalfLatency.P50)}, **p99 {Ms(outage.HalfLatency.P99)}**, max {Ms(outage.HalfLatency.Max)}{Failures(outage.HalfFailed)}; " +
            $"the spool then held **{spool.Depth:N0} events** ({spool.DepthBytes / MiB:N0} MB of bodies), for {spool.Answered:N0} callbacks answered OK since start (warm-up included){Failures(spool.Refused)}",
            "—", null);
        var drain = spool.Drain;
        var empty = drain.EmptySeconds is { } seconds ? $"{seconds:F1} s" : "never";
        yield return new ReportRow(
            "2. Spool drain when the broker is back: that gateway stopped (SIGTERM), a new one started on the same spool file with the broker and the relay running to the stub legacy system",
            $"**{drain.Events:N0} events at legacy in {drain.DeliveredSeconds:F1} s = {drain.PerSecond:N0}/s** from its launch (ready after {drain.ReadySeconds:F1} s, spool empty after {empty}){(drain.Drained ? "" : ", NOT all arrived")}; " +
            $"arrived twice **{drain.Duplicates}**, answered OK and missing **{drain.Missing}**, arrived without an OK {drain.Unexpected}; " +
            $"the stopped gateway exited in {spool.StopSeconds:F1} s{(spool.StoppedByItself ? "" : " (**killed**)")}; CPU from ready to the last arrival: gateway {drain.Cpu.Gateway:F2}, RabbitMQ {drain.Cpu.Broker:F2}, whole machine {drain.Cpu.Machine:F2} cores",
            "every event once", drain.Drained && drain.Duplicates == 0 && drain.Missing == 0);
    }

    private ReportRow CpuRow(string measurement, IngressRun run, BrokerLimitResult? limit)
    {
        var cpu = run.MaxCpu;
        var result = $"gateway {cpu.Gateway:F2} ({Micro(cpu.Gateway, run.MaxPerSecond)} per callback); " +
                     $"RabbitMQ {cpu.Broker:F2} ({Micro(cpu.Broker, run.MaxPerSecond)} per message); Redis {cpu.Redis:F2}; " +
                     $"load generator + stubs {cpu.Benchmark:F2}; whole machine {cpu.Machine:F2} of {Environment.Cores}";
        if (limit is not null)
        {
            result += $". Broker limit run: RabbitMQ {limit.Cpu.Broker:F2} ({Micro(limit.Cpu.Broker, limit.MessagesPerSecond)} per message), " +
                      $"publishers {limit.Cpu.Benchmark:F2}, whole machine {limit.Cpu.Machine:F2}";
        }
        return new ReportRow(measurement, result, "—", null);
    }

    private static ReportRow EndToEndRow(string measurement, EndToEndResult result, string target, bool? met)
        => new(
            $"{measurement}, {result.OfferedPerSecond:N0}/s offered",
            $"**{result.DeliveredPerSecond:N0}/s** sustained ({result.Delivered:N0} of {result.Accepted:N0} accepted{(result.Drained ? "" : ", NOT all arrived")}); " +
            $"p50 {Ms(result.Latency.P50)}, **p99 {Ms(result.Latency.P99)}**, max {Ms(result.Latency.Max)}{Failures(result.Refused)}",
            target, met);

    public string ToMarkdown()
    {
        var env = Environment;
        var md = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Run {env.StartedAt:yyyy-MM-dd HH:mm} UTC, `{env.Profile}` profile, {Elapsed(Duration)}, commit `{env.Commit}`.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Machine: {env.Cores} cores ({env.Cpu}), {env.Os}, load average {env.LoadAverageAtStart} at start and {LoadAverageAtEnd} at end. ")
            .AppendLine(CultureInfo.InvariantCulture, $"Versions: {env.Runtime}, RabbitMQ {env.RabbitMq}, Redis {env.Redis}, MassTransit {env.MassTransit}, RabbitMQ.Client {env.RabbitMqClient}.")
            .AppendLine(env.GatewaySettings.Count == 0
                ? "Gateway: production defaults (the scenarios' own settings are in docs/benchmarks.md)."
                : "Gateway tuning on top of the defaults: " + string.Join(", ", env.GatewaySettings.Select(s => $"`{s.Key}={s.Value}`")) + ".")
            .AppendLine()
            .AppendLine("| measurement | result | target | met |")
            .AppendLine("|---|---|---|---|");
        foreach (var row in Rows())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Measurement} | {row.Result} | {row.Target} | {row.Met switch { true => "yes", false => "**no**", null => "—" }} |");
        }
        return md.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        environment = Environment,
        loadAverageAtEnd = LoadAverageAtEnd,
        durationSeconds = Duration.TotalSeconds,
        limit = Limit,
        ingress = Ingress,
        spool = Spool,
        imToLegacy = ImToLegacy,
        legacyToIm = LegacyToIm,
        echo = Echo,
        import = Import,
        rows = Rows(),
    }, Json);

    private static string Ms(double milliseconds) => double.IsNaN(milliseconds) ? "n/a" : milliseconds.ToString(milliseconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";

    private static string Micro(double cores, double perSecond) => $"{cores / perSecond * 1e6:N0} µs";

    // Applies to the maximum and the half-load run together, so it is written on the maximum's row.
    private static string SpoolUse(IngressRun run)
        => run.SpoolFallbacks == 0
            ? "; spool idle through this and the half-load run"
            : $"; **the spool took events {run.SpoolFallbacks} times** through this and the half-load run (a confirm later than the publish timeout)";

    private static string Failures(long failed) => failed == 0 ? "" : $"; **{failed:N0} refused**";

    private static string Elapsed(TimeSpan elapsed) => elapsed.TotalMinutes >= 1 ? $"{(int)elapsed.TotalMinutes} min {elapsed.Seconds} s" : $"{elapsed.TotalSeconds:F1} s";
}
