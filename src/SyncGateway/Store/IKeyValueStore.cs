namespace SyncGateway.Store;

/// <summary>
/// The only seam to Redis: every key the gateway stores goes through here, so a client upgrade touches one file.
/// Keys are passed without the configured prefix. Every operation throws when the store is unreachable: callers
/// never guess (consumers fail and retry later).
/// </summary>
internal interface IKeyValueStore
{
    /// <summary>
    /// Once per <paramref name="guardKey"/>: adds one to each counter in <paramref name="counterKeys"/> and sets their
    /// time to live. A repeat call with the same guard (a retried message) changes nothing. Atomic.
    /// </summary>
    Task AddOnceAsync(string guardKey, IReadOnlyList<string> counterKeys, TimeSpan ttl);

    /// <summary>
    /// Once per <paramref name="decisionKey"/>: takes one from each counter that is above zero and remembers which it
    /// took; a repeat call returns the remembered answer unchanged. Atomic. Element i is true when counter i was taken.
    /// </summary>
    Task<IReadOnlyList<bool>> TakeOnceAsync(string decisionKey, IReadOnlyList<string> counterKeys, TimeSpan decisionTtl);

    /// <summary>Sets a marker with a time to live.</summary>
    Task SetAsync(string key, TimeSpan ttl);

    /// <summary>True when the marker exists.</summary>
    Task<bool> ExistsAsync(string key);

    /// <summary>Removes <paramref name="key"/>; a key that is not there is fine.</summary>
    Task DeleteAsync(string key);

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/> with a time to live; with
    /// <paramref name="onlyIfAbsent"/>, only when the key does not exist. True when it was written.
    /// </summary>
    Task<bool> SetValueAsync(string key, string value, TimeSpan ttl, bool onlyIfAbsent = false);

    /// <summary>The value stored under <paramref name="key"/>; null when there is none.</summary>
    Task<string?> GetValueAsync(string key);

    /// <summary>True when the store answers.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
