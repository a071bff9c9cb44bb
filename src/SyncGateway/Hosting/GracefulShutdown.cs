namespace SyncGateway.Hosting;

/// <summary>Section <c>Shutdown</c>.</summary>
internal sealed class ShutdownOptions
{
    public const string SectionName = "Shutdown";

    /// <summary>
    /// After SIGTERM, how long the gateway reports not-ready while it keeps serving, so a load balancer takes it out
    /// before the listener closes. 0 when something else waits first (the Helm chart's preStop hook).
    /// </summary>
    public int DrainDelaySeconds { get; set; } = 5;

    /// <summary>Then how long requests in flight and consumers' current events get to finish.</summary>
    public int TimeoutSeconds { get; set; } = 20;
}

/// <summary>
/// The first step of a shutdown: before any service stops (the listener included), readiness turns false and the
/// gateway keeps serving for <see cref="ShutdownOptions.DrainDelaySeconds"/>. Then the host stops the listener (requests
/// in flight finish: each is answered OK only once its event is confirmed or spooled), the spool forwarder and the
/// consumers (after their current event), within <see cref="ShutdownOptions.TimeoutSeconds"/>.
/// </summary>
internal sealed partial class GracefulShutdown(Microsoft.Extensions.Options.IOptions<ShutdownOptions> options, ILogger<GracefulShutdown> logger)
    : IHostedLifecycleService
{
    private volatile bool _draining;

    public bool Draining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var delay = TimeSpan.FromSeconds(options.Value.DrainDelaySeconds);
        if (delay <= TimeSpan.Zero)
        {
            return;
        }
        LogDraining(logger, options.Value.DrainDelaySeconds);
        try
        {
            await Task.Delay(delay, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: go on stopping.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: readiness is now false; serving {DrainDelaySeconds} s more before the listener closes")]
    private static partial void LogDraining(ILogger logger, int drainDelaySeconds);
}

internal static class GracefulShutdownRegistration
{
    public static IHostApplicationBuilder AddGracefulShutdown(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ShutdownOptions>(ShutdownOptions.SectionName, Validate);
        var shutdown = builder.ReadOptions<ShutdownOptions>(ShutdownOptions.SectionName);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(Math.Max(0, shutdown.DrainDelaySeconds) + Math.Max(1, shutdown.TimeoutSeconds)));
        builder.Services.AddSingleton<GracefulShutdown>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GracefulShutdown>());
        return builder;
    }

    private static IEnumerable<string> Validate(ShutdownOptions options)
    {
        if (options.DrainDelaySeconds is < 0 or > 300)
        {
            yield return "Shutdown:DrainDelaySeconds must be between 0 and 300";
        }
        if (options.TimeoutSeconds is < 1 or > 600)
        {
            yield return "Shutdown:TimeoutSeconds must be between 1 and 600";
        }
    }
}
