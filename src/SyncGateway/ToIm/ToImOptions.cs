namespace SyncGateway.ToIm;

/// <summary>Section <c>ToIm</c>: how legacy deltas are written to IM.</summary>
internal sealed class ToImOptions
{
    public const string SectionName = "ToIm";

    /// <summary>
    /// Members per <c>add_group_member</c> call (<c>ToIm__AddMembersBatchSize</c>). IM's pages disagree (20, 100, 300);
    /// the newest says 20.
    /// </summary>
    public int AddMembersBatchSize { get; set; } = 20;

    /// <summary>Members per <c>delete_group_member</c> call (<c>ToIm__DeleteMembersBatchSize</c>); IM allows 100.</summary>
    public int DeleteMembersBatchSize { get; set; } = 100;

    /// <summary>
    /// Initial members sent with <c>create_group</c> (<c>ToIm__CreateGroupMembersLimit</c>); IM allows 100. Further
    /// members are added with <c>add_group_member</c> right after.
    /// </summary>
    public int CreateGroupMembersLimit { get; set; } = 100;

    /// <summary>Add and remove members without IM's in-group system notification (<c>Silence: 1</c>).</summary>
    public bool SilentMemberChanges { get; set; }

    /// <summary>
    /// When IM answers that an account a call names was never imported (a user created on the legacy side after the
    /// history import), import the call's accounts with <c>account_import</c> and repeat the call once
    /// (<c>ToIm__ImportMissingAccounts</c>). Off: such a delta faults to the error queue.
    /// </summary>
    public bool ImportMissingAccounts { get; set; } = true;

    /// <summary>
    /// Send <c>admin_set_msg_read</c>'s <c>MsgReadTime</c> as a string (IM's page) rather than an integer (IM's SDK
    /// model) (<c>ToIm__ReadTimeAsString</c>): which one IM requires is not confirmed.
    /// </summary>
    public bool ReadTimeAsString { get; set; } = true;

    /// <summary><c>AddSource</c> of friends added from legacy (<c>ToIm__FriendAddSource</c>): <c>AddSource_Type_</c> plus up to 8 letters.</summary>
    public string FriendAddSource { get; set; } = "AddSource_Type_Legacy";

    /// <summary>
    /// A 1:1 message from legacy whose time is older than this many seconds when the gateway writes it (held while its
    /// history was imported, or delayed by an outage) goes through <c>importmsg</c> with <c>SyncFromOldSystem</c> 5:
    /// it keeps its own time in the conversation and is still counted unread and pushed, but IM raises no callback for
    /// it and answers no <c>MsgKey</c> (<c>ToIm__KeepTimeOlderThanSeconds</c>). 0: always <c>sendmsg</c>, stamped
    /// with the time of the write.
    /// </summary>
    public int KeepTimeOlderThanSeconds { get; set; } = 300;
}
