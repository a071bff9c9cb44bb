using System.Diagnostics;
using System.Runtime.InteropServices;
using SyncGateway.Benchmarks.Infrastructure;

namespace SyncGateway.Benchmarks.Reporting;

/// <summary>What the numbers were measured on.</summary>
internal sealed record RunEnvironment(
    DateTimeOffset StartedAt,
    string Profile,
    int Cores,
    string Cpu,
    string Os,
    string Runtime,
    string RabbitMq,
    string Redis,
    string MassTransit,
    string RabbitMqClient,
    string Commit,
    string LoadAverageAtStart,
    IReadOnlyDictionary<string, string> GatewaySettings)
{
    public static async Task<RunEnvironment> CaptureAsync(string profile, string gatewayDll, IReadOnlyDictionary<string, string> gatewaySettings)
    {
        var gatewayFolder = Path.GetDirectoryName(Path.GetFullPath(gatewayDll))!;
        return new RunEnvironment(
            DateTimeOffset.UtcNow,
            profile,
            Environment.ProcessorCount,
            CpuModel(),
            RuntimeInformation.OSDescription,
            RuntimeInformation.FrameworkDescription,
            await TryAsync(BenchServices.RabbitMqVersionAsync),
            await TryAsync(BenchServices.RedisVersionAsync),
            ProductVersion(Path.Combine(gatewayFolder, "MassTransit.dll")),
            ProductVersion(Path.Combine(gatewayFolder, "RabbitMQ.Client.dll")),
            (await TryAsync(() => BenchServices.RunAsync("git", ["rev-parse", "--short", "HEAD"], gatewayFolder))).Trim(),
            LoadAverage(),
            gatewaySettings);
    }

    public static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static string CpuModel()
        => File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown"
            : "unknown";

    private static string ProductVersion(string path)
        => File.Exists(path) ? FileVersionInfo.GetVersionInfo(path).ProductVersion?.Split('+')[0] ?? "unknown" : "unknown";

    private static async Task<string> TryAsync(Func<Task<string>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
