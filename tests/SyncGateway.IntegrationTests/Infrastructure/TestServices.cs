using System.Diagnostics;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Addresses of the real RabbitMQ and Redis the tests run against, from the environment (deploy/local/services.sh
/// prints them; a developer with Docker can point them at containers).
/// </summary>
internal static class TestServices
{
    public static Uri RabbitMq => new(Require("SYNCGW_TEST_RABBITMQ"));

    public static string Redis => Require("SYNCGW_TEST_REDIS");

    /// <summary>How to run rabbitmqctl (e.g. "docker exec rabbit rabbitmqctl"); default the local one.</summary>
    private static string RabbitMqCtl => Environment.GetEnvironmentVariable("SYNCGW_TEST_RABBITMQCTL") ?? "rabbitmqctl";

    private static string Require(string name)
        => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"{name} is not set: run the tests through ./test.sh (it starts RabbitMQ and Redis) or export it");

    /// <summary>Creates an isolated virtual host so parallel test runs never share exchanges or queues.</summary>
    public static async Task<string> CreateVirtualHostAsync()
    {
        var vhost = "syncgw-test-" + Guid.NewGuid().ToString("N")[..12];
        await RabbitMqCtlAsync($"add_vhost {vhost}");
        await RabbitMqCtlAsync($"set_permissions -p {vhost} guest .* .* .*");
        return vhost;
    }

    public static Task DeleteVirtualHostAsync(string vhost) => RabbitMqCtlAsync($"delete_vhost {vhost}");

    private static async Task RabbitMqCtlAsync(string arguments)
    {
        var parts = RabbitMqCtl.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var start = new ProcessStartInfo(parts[0], string.Join(' ', parts.Skip(1).Append("-q").Append(arguments)))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {arguments} failed: {await process.StandardError.ReadToEndAsync()}");
        }
    }

    public static Uri RabbitMqIn(string vhost)
    {
        var builder = new UriBuilder(RabbitMq) { Path = "/" + Uri.EscapeDataString(vhost) };
        return builder.Uri;
    }
}
