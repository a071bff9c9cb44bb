using MassTransit;
using Microsoft.Extensions.Options;

namespace SyncGateway.Messaging;

/// <summary>
/// Holds every sync consumer while the gateway is paused (<see cref="SyncOptions.Paused"/>): a held message stays
/// unacknowledged, so it and everything behind it wait in RabbitMQ in order, and a shutdown hands them back to the
/// queue. <see cref="Resume"/> lets them through; MassTransit's own endpoint AutoStart switch is not honoured by
/// 8.4 with ConfigureEndpoints, hence this gate.
/// </summary>
internal sealed class PauseGate(IOptions<SyncOptions> options)
{
    private readonly TaskCompletionSource _resumed = NewGate(options.Value.Paused);
    private int _waiting;

    /// <summary>Messages currently held at the gate.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public void Resume() => _resumed.TrySetResult();

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (_resumed.Task.IsCompleted)
        {
            return;
        }
        Interlocked.Increment(ref _waiting);
        try
        {
            await _resumed.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private static TaskCompletionSource NewGate(bool paused)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!paused)
        {
            gate.SetResult();
        }
        return gate;
    }
}

/// <summary>Runs each consume through the <see cref="PauseGate"/>, so the held event blocks its queue.</summary>
internal sealed class PauseFilter<TConsumer>(PauseGate gate) : IFilter<ConsumerConsumeContext<TConsumer>>
    where TConsumer : class
{
    public async Task Send(ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next)
    {
        await gate.WaitAsync(context.CancellationToken);
        await next.Send(context);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("syncgw-pause");
}
