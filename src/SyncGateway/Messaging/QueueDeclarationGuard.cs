using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.Options;

namespace SyncGateway.Messaging;

/// <summary>
/// Stops the gateway when a relay or error queue exists with other arguments than this configuration declares: most
/// often another type (<c>RabbitMq:QueueType</c>), also another <c>RabbitMq:DeliveryLimit</c> or
/// <c>RabbitMq:ClassicQueueVersion</c>. RabbitMQ refuses such a redeclaration (<c>PRECONDITION_FAILED - inequivalent
/// arg</c>) and cannot change a queue in place, so the endpoint could never start: the gateway would take callbacks into
/// its spool and relay nothing while MassTransit retried the declaration forever. Stopping with one line naming the
/// queue and the argument makes a rollout that switches without draining first stall on its new pods while the old
/// ones keep relaying; what the spool took meanwhile stays on disk for the next start.
/// </summary>
internal sealed partial class QueueDeclarationGuard(IHostApplicationLifetime lifetime, ILogger<QueueDeclarationGuard> logger, IOptions<RabbitMqOptions> options) : IReceiveEndpointObserver
{
    private int _stopping;

    public Task Faulted(ReceiveEndpointFaulted faulted)
    {
        if (Mismatch(faulted.Exception) is { } mismatch && Interlocked.Exchange(ref _stopping, 1) == 0)
        {
            LogMismatch(logger, mismatch.Queue, options.Value.QueueType, mismatch.Detail);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
        return Task.CompletedTask;
    }

    public Task Ready(ReceiveEndpointReady ready) => Task.CompletedTask;

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;

    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;

    /// <summary>The queue and the broker's words for what differs, when <paramref name="exception"/> (or an inner one) is such a refusal.</summary>
    internal static (string Queue, string Detail)? Mismatch(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (Refusal().Match(current.Message) is { Success: true } match)
            {
                return (match.Groups["queue"].Value, match.Groups["detail"].Value);
            }
        }
        return null;
    }

    [GeneratedRegex(@"PRECONDITION_FAILED - (?<detail>inequivalent arg '[^']+' for queue '(?<queue>[^']+)'.*?)'?, classId", RegexOptions.CultureInvariant)]
    private static partial Regex Refusal();

    [LoggerMessage(Level = LogLevel.Critical, Message = "Queue {Queue} exists with other arguments than this configuration declares (RabbitMq:QueueType={QueueType}): {Detail}. RabbitMQ cannot change a queue in place: drain the relay queues, then switch (docs/operations.md, \"Quorum queues\"). Stopping.")]
    private static partial void LogMismatch(ILogger logger, string queue, string queueType, string detail);
}
