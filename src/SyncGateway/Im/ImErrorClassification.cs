using System.Collections.Frozen;
using System.Net;
using SyncGateway.Hosting;

namespace SyncGateway.Im;

/// <summary>What an IM answer means for the caller.</summary>
internal enum ImErrorKind
{
    /// <summary><c>ErrorCode</c> 0.</summary>
    Success,

    /// <summary>The desired state exists already (user already a member, group id already ours): idempotent writes succeed.</summary>
    AlreadyDone,

    /// <summary>Retry with backoff; the same request may succeed later.</summary>
    Transient,

    /// <summary>The admin UserSig expired: sign a new one and retry once.</summary>
    RenewUserSig,

    /// <summary>
    /// An account the request names (sender, recipient, owner, member) was never imported: a caller can import it
    /// and retry once; otherwise permanent.
    /// </summary>
    AccountMissing,

    /// <summary>No retry can fix it (bad request, missing account or group, permissions, configuration).</summary>
    Permanent,
}

/// <param name="Kind">How to react.</param>
/// <param name="RateLimited">IM throttled us: back off for at least <see cref="ImErrorClassification.RateLimitBackoffFloor"/>.</param>
/// <param name="CallerRefused">IM refused the caller (admin account, UserSig, app, quota, disabled API), not the item:
/// every further call will fail the same way.</param>
/// <param name="GroupMissing">The group does not exist or was dismissed.</param>
internal readonly record struct ImErrorClass(
    ImErrorKind Kind,
    bool RateLimited = false,
    bool CallerRefused = false,
    bool GroupMissing = false);

/// <summary>
/// The one table from IM error codes to reactions, after IM's REST error-code list and its retry advice.
/// Codes IM never sent but the client needs for failures that have no IM code are negative:
/// <see cref="NoAnswer"/>, <see cref="UnreadableAnswer"/>, <see cref="MessageDropped"/>, and <c>-status</c> for an HTTP status other than 200.
/// </summary>
internal static class ImErrorClassification
{
    /// <summary>Timeout, connection failure or any other error before an answer arrived.</summary>
    public const int NoAnswer = -1;

    /// <summary>HTTP 200 whose body is not IM's JSON envelope.</summary>
    public const int UnreadableAnswer = -2;

    /// <summary><c>send_group_msg</c> answered OK but with <c>MsgDropReason</c> set: IM discarded the message (frequency control).</summary>
    public const int MessageDropped = -3;

    /// <summary>Shortest wait before retrying a rate-limited call (IM asks for at least a second after a rate-limit code).</summary>
    public static readonly TimeSpan RateLimitBackoffFloor = TimeSpan.FromSeconds(1);

    private static readonly ImErrorClass Success = new(ImErrorKind.Success);
    private static readonly ImErrorClass AlreadyDone = new(ImErrorKind.AlreadyDone);
    private static readonly ImErrorClass Transient = new(ImErrorKind.Transient);
    private static readonly ImErrorClass RateLimited = new(ImErrorKind.Transient, RateLimited: true);
    private static readonly ImErrorClass RenewUserSig = new(ImErrorKind.RenewUserSig);
    private static readonly ImErrorClass Permanent = new(ImErrorKind.Permanent);
    private static readonly ImErrorClass AccountMissing = new(ImErrorKind.AccountMissing);
    private static readonly ImErrorClass CallerRefused = new(ImErrorKind.Permanent, CallerRefused: true);
    private static readonly ImErrorClass GroupMissing = new(ImErrorKind.Permanent, GroupMissing: true);

    private static readonly FrozenDictionary<int, ImErrorClass> Table = new Dictionary<int, ImErrorClass>
    {
        [0] = Success,

        [10013] = AlreadyDone, // already a group member
        [10025] = AlreadyDone, // group id already used by us
        [20023] = AlreadyDone, // 1:1 message already recalled
        [31704] = AlreadyDone, // not friends (any more): the deletion is done

        [60007] = RateLimited, // REST API call rate exceeded
        [60011] = RateLimited, // SDKAppID-level rate exceeded
        [60018] = RateLimited,
        [60019] = RateLimited,
        [10006] = RateLimited, // group operation rate / daily group creation
        [10023] = RateLimited, // group message rate
        [MessageDropped] = RateLimited,

        [60008] = Transient, // timed out, may have executed: the callers' dedupe keys absorb a repeat
        [60013] = Transient,
        [60014] = Transient,
        [70169] = Transient,
        [70202] = Transient,
        [70500] = Transient,
        [20004] = Transient,
        [20005] = Transient,
        [90992] = Transient,
        [90994] = Transient,
        [90995] = Transient,
        [91000] = Transient,
        [80003] = Transient, // our before-send webhook failed; it may answer next time
        [10002] = Transient,
        [30006] = Transient,
        [30007] = Transient,
        [30008] = Transient, // concurrent writes to one friend list
        [40006] = Transient,
        [NoAnswer] = Transient,
        [UnreadableAnswer] = Transient,

        [70001] = RenewUserSig with { CallerRefused = true }, // still refused after a renewal
        [20002] = RenewUserSig,

        // "Account never imported", as each API family answers it: account service 70107; sendmsg 20003, 90012 or
        // 90048 (IM does not say which for the sender and which for the recipient); importmsg 90012, 90048;
        // modify_c2c_msg 20003, 90012; group APIs 10019 (send_group_msg documents no code for an unknown sender:
        // 10019 is the group APIs' one); profile 40003; relationship 30003. 90003 and 90008 only for some APIs:
        // AccountMissingOnlyFor.
        [70107] = AccountMissing,
        [20003] = AccountMissing,
        [90012] = AccountMissing,
        [90048] = AccountMissing,
        [10019] = AccountMissing,
        [30003] = AccountMissing,
        [40003] = AccountMissing,

        [10010] = GroupMissing,

        // About the caller, not the item: a batch job stops instead of rejecting all its input.
        [60004] = CallerRefused,
        [60005] = CallerRefused,
        [60006] = CallerRefused,
        [60009] = CallerRefused,
        [60010] = CallerRefused,
        [60012] = CallerRefused,
        [60016] = CallerRefused,
        [60017] = CallerRefused,
        [60020] = CallerRefused,
        [60021] = CallerRefused,
        [70002] = CallerRefused,
        [70003] = CallerRefused,
        [70005] = CallerRefused,
        [70009] = CallerRefused,
        [70013] = CallerRefused,
        [70014] = CallerRefused,
        [70016] = CallerRefused,
        [70020] = CallerRefused,
        [70050] = CallerRefused,
        [70398] = CallerRefused,
        [70403] = CallerRefused,
        [90009] = CallerRefused,
        [10003] = CallerRefused,
        [10026] = CallerRefused,
    }.ToFrozenDictionary();

    // 90003 and 90008 name a missing To_Account / From_Account for these APIs (the peer or operator does not exist);
    // elsewhere (importmsg, sendmsg) they mean the field itself is missing or of the wrong type.
    private static readonly FrozenDictionary<int, FrozenSet<string>> AccountMissingOnlyFor = new Dictionary<int, FrozenSet<string>>
    {
        [90003] = FrozenSet.Create(StringComparer.Ordinal, "openim/admin_msgwithdraw", "openim/admin_set_msg_read", "openim/admin_getroammsg"),
        [90008] = FrozenSet.Create(StringComparer.Ordinal, "openim/admin_msgwithdraw", "openim/admin_set_msg_read", "openim/admin_getroammsg"),
    }.ToFrozenDictionary();

    /// <summary>
    /// Classifies an IM <c>ErrorCode</c> that <paramref name="api"/> answered (null when the API does not matter).
    /// Codes not in the table are permanent: an unknown code is a new rule or a bug that repeating the same request
    /// will not fix, and failing fast puts the code in front of an operator (the message faults to <c>_error</c> with
    /// it) instead of multiplying writes.
    /// </summary>
    public static ImErrorClass Classify(int errorCode, ImApi? api = null) => errorCode switch
    {
        _ when Table.TryGetValue(errorCode, out var known) => known,
        _ when api is not null && AccountMissingOnlyFor.TryGetValue(errorCode, out var apis) && apis.Contains(api.ToString()) => AccountMissing,
        <= -100 => ClassifyHttpStatus((HttpStatusCode)(-errorCode)),
        _ => Permanent,
    };

    /// <summary>The pseudo error code for an HTTP status other than 200.</summary>
    public static int ForHttpStatus(HttpStatusCode status) => -(int)status;

    /// <summary>5xx, 408 and 429 are transient (a proxy or IM's front end is struggling); other statuses are permanent.</summary>
    public static ImErrorClass ClassifyHttpStatus(HttpStatusCode status)
        => status == HttpStatusCode.TooManyRequests ? RateLimited
            : HttpStatuses.IsTransient(status) ? Transient
            : Permanent;
}
