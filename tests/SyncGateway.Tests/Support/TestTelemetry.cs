using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using SyncGateway.Hosting;

namespace SyncGateway.Tests.Support;

/// <summary>The gateway's telemetry on a meter factory of its own, as a host would give it.</summary>
internal static class TestTelemetry
{
    private static readonly IMeterFactory Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    public static SyncTelemetry Create() => new(Meters);
}
