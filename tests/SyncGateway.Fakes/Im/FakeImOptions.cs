using System.Text.Json.Nodes;

namespace SyncGateway.Fakes.Im;

/// <summary>When the callbacks a REST write raises are posted, relative to the REST answer.</summary>
public enum CallbackTiming
{
    /// <summary>Queued and posted in the background; the REST answer does not wait (the usual case).</summary>
    Background,

    /// <summary>The REST answer waits until its callbacks were posted and answered: the echo arrives first, which IM allows.</summary>
    BeforeResponse,
}

/// <summary>
/// How a <see cref="FakeImServer"/> behaves. Settings marked "live" may be changed while the server runs
/// (for example the callback URL, known only once the gateway under test has started).
/// </summary>
public sealed class FakeImOptions
{
    /// <summary>The SDKAppID the server accepts.</summary>
    public long SdkAppId { get; set; } = 1400000001;

    /// <summary>The App admin account: the only <c>identifier</c> accepted, and the operator of REST writes.</summary>
    public string AdminIdentifier { get; set; } = "administrator";

    /// <summary>The key UserSigs must be signed with.</summary>
    public string SecretKey { get; set; } = "fake-im-secret-key";

    /// <summary>Live. Where callbacks are posted (the gateway's <c>/im/callbacks</c>); null = raised and recorded, not posted.</summary>
    public Uri? CallbackUrl { get; set; }

    /// <summary>Live. Callback authentication token; when set, callbacks carry <c>Sign</c> and <c>RequestTime</c>.</summary>
    public string? CallbackToken { get; set; }

    /// <summary>Live. When callbacks of REST writes are posted.</summary>
    public CallbackTiming CallbackTiming { get; set; } = CallbackTiming.Background;

    /// <summary>
    /// Live. The share (0..1) of raised callbacks that are lost on purpose: recorded with <see cref="RecordedCallback.Lost"/> and never
    /// posted, as when IM's post to the gateway fails and is not retried. The draws follow raise order, so with
    /// <see cref="CallbackLossSeed"/> a run loses the same callbacks every time.
    /// </summary>
    public double CallbackLossRate
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 0);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 1);
            field = value;
        }
    }

    /// <summary>The seed of the <see cref="CallbackLossRate"/> draws; null = a different sequence each run. Read at the first draw and after <see cref="FakeImServer.Reset"/>.</summary>
    public int? CallbackLossSeed { get; set; }

    /// <summary>
    /// Live. Loses exactly the callbacks whose body (with <c>CallbackCommand</c>) it returns true for, before <see cref="CallbackLossRate"/>
    /// is drawn. Called on the dispatcher's thread, one callback at a time; it must not change the body.
    /// </summary>
    public Func<JsonObject, bool>? LoseCallback { get; set; }

    /// <summary>How long a callback may take before it counts as failed (IM: 2 s, no retry).</summary>
    public TimeSpan CallbackTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary><c>ClientIP</c> of callbacks raised by REST calls (IM does not document it).</summary>
    public string RestClientIp { get; set; } = "127.0.0.1";

    /// <summary><c>ClientIP</c> of callbacks raised by simulated user actions.</summary>
    public string UserClientIp { get; set; } = "203.0.113.10";

    /// <summary>
    /// Live. Refuse accounts that were not imported (<c>account_import</c>, <c>multiaccount_import</c> or <see cref="FakeImServer.SeedAccounts"/>)
    /// the way IM does (90012, 10019, 40003, …). Off by default: every UserID exists, as for users who signed up in IM's clients.
    /// </summary>
    public bool RequireImportedAccounts { get; set; }

    /// <summary>
    /// Live. <c>import_group_msg</c> accepts a <c>SendTime</c> equal to the group's newest message time. IM documents "greater than";
    /// whether equal passes is unconfirmed, so both behaviours can be tested.
    /// </summary>
    public bool AcceptEqualGroupImportSendTime { get; set; } = true;

    /// <summary>
    /// Live. <c>modify_c2c_msg</c>, <c>modify_group_msg</c> and users' edits raise <c>C2C.CallbackAfterModifyMsg</c> and
    /// <c>Group.CallbackAfterModifyMsg</c>. IM documents those callbacks on its Chinese pages only, so tests can do without them.
    /// </summary>
    public bool RaiseModifyCallbacks { get; set; } = true;

    /// <summary>
    /// Live. The console's "user profile change subscription" is on: without it IM never raises <c>Profile.CallbackPortraitSet</c>,
    /// neither for <c>portrait_set</c> nor for users' own changes.
    /// </summary>
    public bool ProfileChangeSubscription { get; set; } = true;

    /// <summary>
    /// Live. The field naming the member in <c>Group.CallbackAfterMemberFieldChanged</c>: <c>Modified_Account</c> (IM's Chinese page
    /// and Java SDK) or <c>Member_Account</c> (its international page). IM's pages disagree, so tests can try both.
    /// </summary>
    public string MemberFieldChangedAccountField { get; set; } = "Modified_Account";

    /// <summary>
    /// Live. Member joins and exits, group profile and owner changes and admin role changes store a group tip that takes the next
    /// <c>MsgSeq</c> without a send callback, as IM does by default in Work (Private), Public and Community groups (never in Meeting
    /// (ChatRoom) or AVChatRoom). Off by default, so a test's message seqs stay 1, 2, 3, …; turn it on to meet the holes a gap repair must classify.
    /// </summary>
    public bool GroupTipsTakeSeqs { get; set; }

    /// <summary>
    /// Live. <c>group_msg_get_simple</c> lists group tips with <c>IsSystemMsg</c> 1 (IM's documented field). Off: their seqs are
    /// absent from the answer, for testing a repair against the reading that IM leaves system messages out.
    /// </summary>
    public bool GroupTipsInHistory { get; set; } = true;

    /// <summary>
    /// Live. Keep every REST call in <see cref="FakeImServer.Calls"/>. Turn off for long runs (a million-message import) and
    /// watch <see cref="FakeImServer.CallObserved"/> instead, so memory stays flat.
    /// </summary>
    public bool RecordCalls { get; set; } = true;

    /// <summary>Largest <c>MsgBody</c> in UTF-8 bytes (IM: 12 KB); larger ones get 93000 (1:1) or 80002 (group).</summary>
    public int MaxMessageBytes { get; set; } = 12_000;

    /// <summary>Batch maxima; larger batches get the API's documented error.</summary>
    public FakeImBatchLimits BatchLimits { get; set; } = new();

    /// <summary>The clock of message times, dedupe windows and UserSig expiry.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>Per-call batch maxima, defaulting to the smallest values IM documents.</summary>
public sealed record FakeImBatchLimits
{
    public int AddGroupMember { get; init; } = 20;
    public int DeleteGroupMember { get; init; } = 100;
    public int ImportGroupMember { get; init; } = 20;
    public int ImportGroupMsg { get; init; } = 7;
    public int CreateGroupMembers { get; init; } = 100;
    public int MultiAccountImport { get; init; } = 100;
    public int AccountCheck { get; init; } = 100;
    public int FriendImport { get; init; } = 1000;
    public int FriendDelete { get; init; } = 1000;
    public int GroupMsgRecall { get; init; } = 10;
    public int GetGroupInfo { get; init; } = 50;

    /// <summary>Most members one <c>get_group_member_info</c> page holds (<c>Limit</c> above it is refused, none = this many).</summary>
    public int GetGroupMemberInfo { get; init; } = 6000;

    /// <summary>Messages <c>group_msg_get_simple</c> returns per call; a larger <c>ReqMsgNumber</c> is cut short (<c>IsFinished</c> 0).</summary>
    public int GroupMsgGetSimple { get; init; } = 20;

    /// <summary>Bytes of <c>MsgList</c> one <c>admin_getroammsg</c> page holds (IM: 13 KB); a page always holds at least one message.</summary>
    public int AdminGetRoamMsgPageBytes { get; init; } = 13 * 1024;
}
