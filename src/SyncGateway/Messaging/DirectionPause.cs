using SyncGateway.Store;

namespace SyncGateway.Messaging;

/// <summary>
/// Pauses and resumes a direction on every replica: the admin API writes a flag per direction to the store, and every
/// replica reads both flags each second and sets its <see cref="PauseGate"/> when a flag changes. Until a flag is
/// written, <c>Sync:Paused</c> rules. A store that does not answer keeps the gates as they are.
/// </summary>
internal sealed partial class DirectionPause(IKeyValueStore store, PauseGate gate, TimeProvider time, ILogger<DirectionPause> logger) : BackgroundService
{
    /// <summary>How often each replica reads the flags: the most a pause takes to hold everywhere.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    // Kept until changed: a pause must not lapse while an operator looks elsewhere.
    private static readonly TimeSpan FlagTtl = TimeSpan.FromDays(3650);

    private static readonly RelayDirection[] Directions = [RelayDirection.ImToLegacy, RelayDirection.LegacyToIm];

    private readonly Dictionary<RelayDirection, string?> _seen = [];
    private bool _failing;

    /// <summary>Writes the flag and sets this replica's gate at once; the others follow within <see cref="PollInterval"/>.</summary>
    public async Task SetAsync(RelayDirection direction, bool paused)
    {
        await store.SetValueAsync(RedisKeys.DirectionPaused(direction), paused ? "1" : "0", FlagTtl);
        Apply(direction, paused);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        do
        {
            try
            {
                await ReadFlagsAsync();
                _failing = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Once per outage, not once a second.
                if (!_failing)
                {
                    LogNotRead(logger, ex.Message);
                }
                _failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ReadFlagsAsync()
    {
        foreach (var direction in Directions)
        {
            var flag = await store.GetValueAsync(RedisKeys.DirectionPaused(direction));
            // Only a change is applied, so a gate opened in-process (Sync:Paused, then resumed) is not closed again.
            if (flag is not null && (!_seen.TryGetValue(direction, out var seen) || seen != flag))
            {
                _seen[direction] = flag;
                Apply(direction, flag == "1");
            }
        }
    }

    private void Apply(RelayDirection direction, bool paused)
    {
        if (paused == gate.IsPaused(direction))
        {
            return;
        }
        if (paused)
        {
            gate.Pause(direction);
        }
        else
        {
            gate.Resume(direction);
        }
        LogApplied(logger, direction.Name, paused ? "paused" : "resumed");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the pause flags ({Reason}); the directions stay as they are")]
    private static partial void LogNotRead(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Direction {Direction} {State} on this replica")]
    private static partial void LogApplied(ILogger logger, string direction, string state);
}
