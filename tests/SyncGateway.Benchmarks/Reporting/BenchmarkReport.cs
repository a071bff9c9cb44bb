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

    public EndToEndResult? ImToLegacy { get; set; }

    public EndToEndResult? LegacyToIm { get; set; }

    public EchoResult? Echo { get; set; }

    public ImportResult? Import { get; set; }

    public string? LoadAverageAtEnd { get; set; }

    public TimeSpan Duration { get; set; }

    public IReadOnlyList<ReportRow> Rows()
    {
        var rows = new List<ReportRow>();
        if (Limit is { } limit)
        {
            rows.Add(new ReportRow(
                $"1. Limit: raw RabbitMQ.Client confirmed publish, {limit.Publishers} publishers on {limit.Channels} channel(s), {limit.MessageBytes} B persistent → durable queue",
                $"**{limit.MessagesPerSecond:N0} msg/s** (p50 {Ms(limit.Latency.P50)}, p99 {Ms(limit.Latency.P99)})", "—", null));
        }
        if (Ingress is { } ingress)
        {
            var ratio = Limit is null ? double.NaN : ingress.MaxPerSecond / Limit.MessagesPerSecond;
            rows.Add(new ReportRow(
                $"2. Ingress max: signed callbacks (7-command mix), {ingress.Clients} clients, closed loop",
                $"**{ingress.MaxPerSecond:N0}/s** = **{ratio:F2} × limit**; p50 {Ms(ingress.MaxLatency.P50)}, p99 {Ms(ingress.MaxLatency.P99)}, max {Ms(ingress.MaxLatency.Max)}{Failures(ingress.MaxFailed)}",
                "≥ 0.6 × limit", Limit is null ? null : ratio >= 0.6));
            rows.Add(new ReportRow(
                $"2. Ingress at half load: open loop, {ingress.HalfOfferedPerSecond:N0}/s offered",
                $"{ingress.HalfAcceptedPerSecond:N0}/s accepted; p50 {Ms(ingress.HalfLatency.P50)}, **p99 {Ms(ingress.HalfLatency.P99)}**, max {Ms(ingress.HalfLatency.Max)}{Failures(ingress.HalfFailed)}",
                "p99 < 50 ms", ingress.HalfLatency.P99 < 50));
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
                $"importmsg **{messages.CallsPerSecond:N0} calls/s = {share:P1} of limit**; {import.Calls:N0} calls in **{Elapsed(import.Elapsed)}**; " +
                $"rate-limit errors **{import.RateLimitViolations}**; exit code {import.ExitCode}; CPU: import {import.Cpu.Gateway:F2}, stub IM {import.Cpu.Benchmark:F2}, machine {import.Cpu.Machine:F2} cores",
                "≥ 95 % of limit, 0 rate-limit errors", share >= 0.95 && import.RateLimitViolations == 0 && import.ExitCode == 0));
        }
        if (Ingress?.Memory is { } memory)
        {
            rows.Add(new ReportRow(
                "7. Memory: gateway RSS during the ingress run",
                $"idle {memory.IdleRss / MiB:N0} MB, peak {memory.PeakRss / MiB:N0} MB, **steady {memory.SteadyRss / MiB:N0} MB** ({memory.Samples} samples)",
                "steady < 300 MB", memory.SteadyRss < 300 * MiB));
        }
        if (Limit is { } l && Ingress is { } i)
        {
            rows.Add(new ReportRow(
                "8. CPU in cores (where the time goes), ingress max / broker limit",
                $"gateway {i.MaxCpu.Gateway:F2} ({Micro(i.MaxCpu.Gateway, i.MaxPerSecond)} per callback) / —; " +
                $"RabbitMQ {i.MaxCpu.Broker:F2} ({Micro(i.MaxCpu.Broker, i.MaxPerSecond)} per message) / {l.Cpu.Broker:F2} ({Micro(l.Cpu.Broker, l.MessagesPerSecond)} per message); " +
                $"Redis {i.MaxCpu.Redis:F2} / {l.Cpu.Redis:F2}; load generator + stubs {i.MaxCpu.Benchmark:F2} / {l.Cpu.Benchmark:F2}; " +
                $"whole machine {i.MaxCpu.Machine:F2} / {l.Cpu.Machine:F2} of {Environment.Cores}",
                "—", null));
        }
        return rows;
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
        imToLegacy = ImToLegacy,
        legacyToIm = LegacyToIm,
        echo = Echo,
        import = Import,
        rows = Rows(),
    }, Json);

    private static string Ms(double milliseconds) => double.IsNaN(milliseconds) ? "n/a" : milliseconds.ToString(milliseconds < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " ms";

    private static string Micro(double cores, double perSecond) => $"{cores / perSecond * 1e6:N0} µs";

    private static string Failures(long failed) => failed == 0 ? "" : $"; **{failed:N0} refused**";

    private static string Elapsed(TimeSpan elapsed) => elapsed.TotalMinutes >= 1 ? $"{(int)elapsed.TotalMinutes} min {elapsed.Seconds} s" : $"{elapsed.TotalSeconds:F1} s";
}
