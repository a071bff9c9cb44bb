namespace SyncGateway.Repair;

/// <summary>
/// When this process answered IM's callbacks with an error (broker away and spool full, or a failed publish): IM does
/// not retry by default, so the 1:1 messages of that window may be lost. The repair worker reads the window once it has
/// settled and repairs it from IM's 1:1 history (group messages need no window: their holes show).
/// </summary>
internal sealed class MissedCallbacks
{
    private readonly Lock _lock = new();
    private DateTimeOffset? _first;
    private DateTimeOffset _last;

    public void Note(DateTimeOffset at)
    {
        lock (_lock)
        {
            _first = _first is { } first && first <= at ? first : at;
            _last = at > _last ? at : _last;
        }
    }

    /// <summary>The window of errors, once its last is at or before <paramref name="settledBy"/>; it is then forgotten.</summary>
    public (DateTimeOffset From, DateTimeOffset To)? TakeSettled(DateTimeOffset settledBy)
    {
        lock (_lock)
        {
            if (_first is not { } first || _last > settledBy)
            {
                return null;
            }
            _first = null;
            return (first, _last);
        }
    }

    /// <summary>Puts a window back that could not be repaired now, so the next attempt covers it too.</summary>
    public void Restore((DateTimeOffset From, DateTimeOffset To) window)
    {
        Note(window.From);
        Note(window.To);
    }
}
