using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SyncGateway.Hosting;
using SyncGateway.Messaging;

namespace SyncGateway.Tests.Hosting;

/// <summary>A minimal in-memory web host wired like Program.cs for the hosting concerns only.</summary>
internal static class TestWebHost
{
    public static async Task<WebApplication> StartAsync(
        LogCapture logs,
        Action<WebApplicationBuilder>? configure = null,
        Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseTestServer();
        builder.AddObservability();
        builder.Services.AddSingleton(logs.Writer);
        builder.AddGracefulShutdown();
        builder.Services.AddSingleton(ConnectedBroker());
        builder.AddHealth();
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseRequestLogs();
        app.MapHealth();
        map?.Invoke(app);
        await app.StartAsync();
        return app;
    }

    private static BrokerState ConnectedBroker()
    {
        var broker = new BrokerState();
        broker.BusHealth(connected: true);
        return broker;
    }
}
