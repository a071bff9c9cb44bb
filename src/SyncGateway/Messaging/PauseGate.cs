using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;

namespace SyncGateway.Messaging;

/// <summary>
/// Holds a direction's sync consumers while it is paused (at start by <see cref="SyncOptions.Paused"/>, later by the
/// admin API through <see cref="DirectionPause"/>): a held message stays unacknowledged, so it and everything behind it
/// wait in RabbitMQ in order, and a shutdown hands them back to the queue. MassTransit's own endpoint AutoStart switch
/// is not honoured by 8.4 with ConfigureEndpoints, hence this gate. It also knows the events in the process (held or
/// being handled) and when each was received, for the admin status.
/// </summary>
internal sealed class PauseGate
{
    private readonly Dictionary<RelayDirection, Gate> _gates;
    private readonly ConcurrentDictionary<RelayDirection, ConcurrentDictionary<string, DateTimeOffset>> _inFlight = new();
    private int _waiting;

    public PauseGate(IOptions<SyncOptions> options)
    {
        var paused = options.Value.Paused;
        _gates = new() { [RelayDirection.ImToLegacy] = new Gate(paused), [RelayDirection.LegacyToIm] = new Gate(paused) };
    }

    /// <summary>Messages currently held at the gate, both directions.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public bool IsPaused(RelayDirection direction) => _gates[direction].IsClosed;

    /// <summary>Lets both directions through.</summary>
    public void Resume()
    {
        foreach (var gate in _gates.Values)
        {
            gate.Open();
        }
    }

    public void Resume(RelayDirection direction) => _gates[direction].Open();

    /// <summary>Holds the direction's next messages; one already past the gate finishes.</summary>
    public void Pause(RelayDirection direction) => _gates[direction].Close();

    /// <summary>When the oldest event of <paramref name="direction"/> in this process (held or being handled) was received.</summary>
    public DateTimeOffset? OldestInFlight(RelayDirection direction)
        => _inFlight.TryGetValue(direction, out var events) && !events.IsEmpty ? events.Values.Min() : null;

    public async Task PassAsync(RelayDirection direction, ISyncEvent? message, Func<Task> next, CancellationToken cancellationToken)
    {
        var events = message is null ? null : _inFlight.GetOrAdd(direction, _ => new(StringComparer.Ordinal));
        events?.TryAdd(message!.Meta.Id, message.Meta.ReceivedAt);
        try
        {
            await WaitAsync(direction, cancellationToken);
            await next();
        }
        finally
        {
            events?.TryRemove(message!.Meta.Id, out _);
        }
    }

    private async Task WaitAsync(RelayDirection direction, CancellationToken cancellationToken)
    {
        var gate = _gates[direction];
        if (!gate.IsClosed)
        {
            return;
        }
        Interlocked.Increment(ref _waiting);
        try
        {
            // A pause after a resume closes a new gate: wait until one stays open.
            while (gate.IsClosed)
            {
                await gate.Opened.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>One direction's gate: a completed task while open, a pending one while closed.</summary>
    private sealed class Gate
    {
        private readonly Lock _lock = new();
        private TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Gate(bool closed)
        {
            if (!closed)
            {
                _opened.SetResult();
            }
        }

        public bool IsClosed => !Opened.IsCompleted;

        public Task Opened
        {
            get
            {
                lock (_lock)
                {
                    return _opened.Task;
                }
            }
        }

        public void Open()
        {
            lock (_lock)
            {
                _opened.TrySetResult();
            }
        }

        public void Close()
        {
            lock (_lock)
            {
                if (_opened.Task.IsCompleted)
                {
                    _opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }
}

/// <summary>Runs each consume of one direction through the <see cref="PauseGate"/>, so the held event blocks its queue.</summary>
internal sealed class PauseFilter<TConsumer>(PauseGate gate, RelayDirection direction) : IFilter<ConsumerConsumeContext<TConsumer>>
    where TConsumer : class
{
    public Task Send(ConsumerConsumeContext<TConsumer> context, IPipe<ConsumerConsumeContext<TConsumer>> next)
        => gate.PassAsync(direction, context.TryGetMessage<ISyncEvent>(out var message) ? message.Message : null, () => next.Send(context), context.CancellationToken);

    public void Probe(ProbeContext context) => context.CreateFilterScope("syncgw-pause");
}
