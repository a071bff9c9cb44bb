namespace SyncGateway.Hosting;

/// <summary>
/// The lifetime of a command's host (<c>import</c>, <c>repair</c>): the command handles its own signals, where the
/// default console lifetime would stop the host on the first Ctrl+C.
/// </summary>
internal sealed class CommandLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
