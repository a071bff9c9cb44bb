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

    /// <summary>
    /// Advances the sequence state under <paramref name="key"/> (one hash: the highest seq and the open holes below it,
    /// each with the time it was found) by <paramref name="seq"/>. <see cref="SequenceMark.Seen"/>: the seq was seen, so it
    /// is no hole; one above the highest opens holes for every seq between; the first seen becomes the start.
    /// <see cref="SequenceMark.Exists"/>: IM has messages up to it (nothing is opened before a first seen seq). At most
    /// <paramref name="maxNewHoles"/> (the newest) open per call; the rest are counted as skipped. Atomic.
    /// </summary>
    Task<SequenceChange> AdvanceSequenceAsync(string key, long seq, SequenceMark mark, long nowMilliseconds, int maxNewHoles, TimeSpan ttl);

    /// <summary>The sequence state under <paramref name="key"/>; null when there is none.</summary>
    Task<SequenceState?> GetSequenceAsync(string key);

    /// <summary>Closes the holes <paramref name="seqs"/> of the sequence state under <paramref name="key"/>; returns how many stay open.</summary>
    Task<long> CloseHolesAsync(string key, IReadOnlyCollection<long> seqs);

    /// <summary>Adds or rescores <paramref name="member"/> in a sorted set; with <paramref name="onlyIfAbsent"/>, keeps an existing score.</summary>
    Task SortedSetAddAsync(string key, string member, double score, bool onlyIfAbsent = false);

    /// <summary>Up to <paramref name="take"/> members with a score in [<paramref name="min"/>, <paramref name="max"/>], lowest score first.</summary>
    Task<IReadOnlyList<ScoredMember>> SortedSetRangeByScoreAsync(string key, double min, double max, int take);

    /// <summary>How many members the sorted set under <paramref name="key"/> holds.</summary>
    Task<long> SortedSetLengthAsync(string key);

    /// <summary>Removes <paramref name="member"/> from a sorted set.</summary>
    Task SortedSetRemoveAsync(string key, string member);

    /// <summary>Removes every member with a score in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    Task SortedSetRemoveRangeByScoreAsync(string key, double min, double max);

    /// <summary>Sets <paramref name="fields"/> of the hash under <paramref name="key"/> (creating it) and its time to live.</summary>
    Task HashSetAsync(string key, IReadOnlyCollection<KeyValuePair<string, string>> fields, TimeSpan ttl);

    /// <summary>Removes <paramref name="fields"/> from the hash under <paramref name="key"/>; absent ones are fine.</summary>
    Task HashDeleteAsync(string key, IReadOnlyCollection<string> fields);

    /// <summary>The values of <paramref name="fields"/> of the hash under <paramref name="key"/>, in order; null for an absent one.</summary>
    Task<IReadOnlyList<string?>> HashGetAsync(string key, IReadOnlyList<string> fields);

    /// <summary>Every field of the hash under <paramref name="key"/>; empty when there is none.</summary>
    Task<IReadOnlyDictionary<string, string>> HashGetAllAsync(string key);

    /// <summary>Appends <paramref name="values"/> to the list under <paramref name="key"/> (creating it) and sets its time to live.</summary>
    Task ListAppendAsync(string key, IReadOnlyList<string> values, TimeSpan ttl);

    /// <summary>Every element of the list under <paramref name="key"/>, oldest first; empty when there is none.</summary>
    Task<IReadOnlyList<string>> ListRangeAsync(string key);

    /// <summary>
    /// Appends <paramref name="value"/> to the list under <paramref name="key"/>; with <paramref name="onlyIfExists"/>,
    /// only when the list exists (is not empty), in one atomic step. Lists never expire. Returns the new length, 0 when
    /// nothing was appended.
    /// </summary>
    Task<long> ListAppendAsync(string key, string value, bool onlyIfExists = false);

    /// <summary>
    /// Inserts <paramref name="value"/> before the first element equal to <paramref name="pivot"/> (atomic). Returns the
    /// new length, 0 when there is no list, -1 when no element equals <paramref name="pivot"/>.
    /// </summary>
    Task<long> ListInsertBeforeAsync(string key, string pivot, string value);

    /// <summary>The first element of the list under <paramref name="key"/>; null when it is empty.</summary>
    Task<string?> ListHeadAsync(string key);

    /// <summary>
    /// Removes the first element of the list under <paramref name="key"/> when it equals <paramref name="expected"/>
    /// (atomic); an emptied list is no key. Returns the length left, or -1 when the head was another element.
    /// </summary>
    Task<long> ListRemoveHeadAsync(string key, string expected);

    /// <summary>How many elements the list under <paramref name="key"/> holds.</summary>
    Task<long> ListLengthAsync(string key);

    /// <summary>True when the store answers.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Returns once the writes made so far to the nodes holding <paramref name="keys"/> have reached
    /// <c>Redis:WaitReplicas</c> replicas (Redis <c>WAIT</c>); throws when fewer acknowledged them in time. For writes
    /// that are the only copy of an event once its RabbitMQ message is acknowledged (parked and faulted events): Redis
    /// replicates asynchronously, and a failover would otherwise lose what the old master had not yet passed on.
    /// </summary>
    Task EnsureReplicatedAsync(IReadOnlyCollection<string> keys);
}

/// <summary>What a seq passed to <see cref="IKeyValueStore.AdvanceSequenceAsync"/> says.</summary>
internal enum SequenceMark
{
    /// <summary>This seq was seen (relayed, written by the gateway).</summary>
    Seen,

    /// <summary>IM has messages up to this seq; those not seen are holes.</summary>
    Exists,
}

/// <summary>Holes an advance opened, and how many more it would have opened past its cap.</summary>
internal sealed record SequenceChange(long HolesOpened, long HolesSkipped);

/// <summary>A sequence's highest seq and its open holes, each with the Unix milliseconds it was found.</summary>
internal sealed record SequenceState(long Highest, IReadOnlyDictionary<long, long> Holes)
{
    /// <summary>From the hash's fields: <c>h</c> = the highest seq, every other field a hole's seq.</summary>
    public static SequenceState? From(IEnumerable<(string Field, long Value)> fields)
    {
        long? highest = null;
        var holes = new Dictionary<long, long>();
        foreach (var (field, value) in fields)
        {
            if (field == "h")
            {
                highest = value;
            }
            else
            {
                holes[long.Parse(field, System.Globalization.CultureInfo.InvariantCulture)] = value;
            }
        }
        return highest is { } h ? new SequenceState(h, holes) : null;
    }
}

internal sealed record ScoredMember(string Member, double Score);
