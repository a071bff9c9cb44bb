namespace SyncGateway.Hosting;

internal static partial class StartupWarnings
{
    /// <summary>Logs <paramref name="warning"/> once when the host starts (a configuration an operator must know about).</summary>
    public static IServiceCollection AddStartupWarning(this IServiceCollection services, string warning)
        => services.AddSingleton<IHostedService>(sp => new Warning(sp.GetRequiredService<ILogger<Warning>>(), warning));

    private sealed partial class Warning(ILogger<Warning> logger, string warning) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            Log(logger, warning);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
        private static partial void Log(ILogger logger, string warning);
    }
}
