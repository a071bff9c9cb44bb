namespace SyncGateway.Import;

/// <summary>
/// Section <c>Import</c>: how the history import batches and paces its IM calls. The call rate itself is the IM
/// client's (<c>Im:RestCallsPerSecond</c>, default each API's documented limit).
/// </summary>
internal sealed class ImportOptions
{
    public const string SectionName = "Import";

    /// <summary>IM calls in flight at once (<c>Import__Parallelism</c>, <c>--parallel</c>); enough to reach the rate limit despite latency.</summary>
    public int Parallelism { get; set; } = 64;

    /// <summary>Accounts per <c>multiaccount_import</c> call; IM allows 100.</summary>
    public int AccountBatchSize { get; set; } = 100;

    /// <summary>
    /// Send every account through <c>multiaccount_import</c>'s <c>AccountList</c> form (nick and avatar included, 100 per
    /// call); false falls back to one <c>account_import</c> per account with a nick or avatar, for an IM that refuses the form.
    /// </summary>
    public bool AccountListForm { get; set; } = true;

    /// <summary>Friends of one user per <c>friend_import</c> call; IM allows 1,000.</summary>
    public int FriendBatchSize { get; set; } = 1000;

    /// <summary>Members of one group per <c>import_group_member</c> call; IM's 2026 pages allow 20 (older ones 100 and 300).</summary>
    public int GroupMemberBatchSize { get; set; } = 20;

    /// <summary>Messages of one group per <c>import_group_msg</c> call; IM allows 7 (an older page said 20).</summary>
    public int GroupMessageBatchSize { get; set; } = 7;

    /// <summary><c>AddSource</c> for friends whose line has none; IM requires <c>AddSource_Type_</c> plus up to 8 letters.</summary>
    public string DefaultAddSource { get; set; } = "AddSource_Type_Legacy";

    /// <summary>Send <c>admin_set_msg_read</c>'s <c>MsgReadTime</c> as a string (IM's page) rather than an integer (IM's SDK model).</summary>
    public bool ReadTimeAsString { get; set; } = true;

    /// <summary>Ask <c>import_group_msg</c> to update members' conversation lists (<c>RecentContactFlag</c>; never for Community groups).</summary>
    public bool RecentContactFlag { get; set; } = true;

    /// <summary>Attempts per batch when IM stays busy or unreachable after the client's own retries; then the run stops (resumable).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>
    /// How long a conversation the import holds for live sync stays held if the import never releases it, e.g. when it
    /// is abandoned half-way (<c>Import__HoldHours</c>); a finished message phase releases its conversations at once.
    /// </summary>
    public int HoldHours { get; set; } = 48;

    /// <summary>First wait between those attempts; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Interval of the plain progress lines written when output is redirected.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<string> Validate()
    {
        if (Parallelism is < 1 or > 256)
        {
            yield return "Import:Parallelism must be between 1 and 256";
        }
        foreach (var (key, value, max) in new[]
        {
            (nameof(AccountBatchSize), AccountBatchSize, 100),
            (nameof(FriendBatchSize), FriendBatchSize, 1000),
            (nameof(GroupMemberBatchSize), GroupMemberBatchSize, 300),
            (nameof(GroupMessageBatchSize), GroupMessageBatchSize, 20),
        })
        {
            if (value < 1 || value > max)
            {
                yield return $"Import:{key} must be between 1 and {max} (IM's documented maximum)";
            }
        }
        if (!DefaultAddSource.StartsWith("AddSource_Type_", StringComparison.Ordinal))
        {
            yield return "Import:DefaultAddSource must start with AddSource_Type_";
        }
        if (MaxAttempts < 1)
        {
            yield return "Import:MaxAttempts must be at least 1";
        }
        if (HoldHours < 1)
        {
            yield return "Import:HoldHours must be at least 1";
        }
        if (RetryDelay <= TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            yield return "Import:RetryDelay must be positive and Import:MaxRetryDelay at least as long";
        }
        if (ProgressInterval <= TimeSpan.Zero)
        {
            yield return "Import:ProgressInterval must be positive";
        }
    }
}
