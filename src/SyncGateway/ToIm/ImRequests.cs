using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Im;

namespace SyncGateway.ToIm;

/// <summary>
/// One IM REST call of a plan. <paramref name="GroupId"/> names the group for per-item result messages;
/// <paramref name="Accounts"/> are the user ids the call names (sender, recipient, owner, members), the accounts to
/// import when IM answers that one of them was never imported.
/// </summary>
internal sealed record ImCall(ImApi Api, object Body, string? GroupId = null, IReadOnlyList<string>? Accounts = null);

/// <summary>The IM calls that apply one legacy delta, in order, and the echo parts they will cause.</summary>
internal sealed record ImWritePlan(IReadOnlyList<string> ExpectedEchoes, IReadOnlyList<ImCall> Calls);

/// <summary>What every IM write takes from configuration, and the time it is made at.</summary>
/// <param name="ForbidSendCallbacks">Ask IM not to call back for the gateway's own sends (<c>Im:ForbidCallbacksOnSend</c>).</param>
/// <param name="Options">Batch sizes and member-change settings (<c>ToIm</c>).</param>
/// <param name="Now">When the write is made.</param>
internal sealed record ImWriteSettings(bool ForbidSendCallbacks, ToImOptions Options, DateTimeOffset Now)
{
    /// <summary>
    /// True for a message sent at <paramref name="sentAt"/> that is older than <c>ToIm:KeepTimeOlderThanSeconds</c>
    /// now: it is written with its own time instead of IM's.
    /// </summary>
    public bool KeepsItsTime(DateTimeOffset? sentAt)
        => Options.KeepTimeOlderThanSeconds > 0 && sentAt < Now.AddSeconds(-Options.KeepTimeOlderThanSeconds);

    private static readonly IReadOnlyList<string> ForbidBoth = ["ForbidBeforeSendMsgCallback", "ForbidAfterSendMsgCallback"];

    /// <summary><c>ForbidCallbackControl</c> of a send, or null to leave IM's callbacks on.</summary>
    public IReadOnlyList<string>? SendCallbackControl => ForbidSendCallbacks ? ForbidBoth : null;
}

/// <summary>
/// Building blocks of the IM REST requests that event declarations make. Message ids are derived from the legacy
/// event, so every retry of one delta sends the same <c>MsgRandom</c>/<c>Random</c> and IM's own duplicate check
/// absorbs a repeat.
/// </summary>
internal static class ImRequests
{
    /// <summary>
    /// IM orders a conversation's messages of one second by <c>MsgSeq</c>, so it follows the legacy event time
    /// (milliseconds, modulo 2³²) rather than a hash: a burst keeps its order, and a retry carries the same value.
    /// </summary>
    public static uint MsgSeqFor(DateTimeOffset eventTime) => unchecked((uint)eventTime.ToUnixTimeMilliseconds());

    /// <summary>A legacy message's own id: <c>data.legacyMessageId</c>, or the CloudEvent <c>id</c> when the delta has none.</summary>
    public static string LegacyMessageId(EventMeta meta, string? legacyMessageId)
        => string.IsNullOrEmpty(legacyMessageId) ? meta.Id : legacyMessageId;

    /// <summary>A string field of an IM answer; null when absent or not a string.</summary>
    public static string? String(JsonElement answer, string name)
        => answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>An integer field of an IM answer; null when absent or not an integer.</summary>
    public static long? Integer(JsonElement answer, string name)
        => answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
           && value.TryGetInt64(out var number)
            ? number
            : null;

    public static List<ImCall> AddMembers(string groupId, IReadOnlyList<string> members, ToImOptions options)
        => [.. members.Chunk(options.AddMembersBatchSize).Select(batch => new ImCall(
            ImApi.AddGroupMember,
            new AddGroupMemberRequest(groupId, Silence(options), [.. batch.Select(m => new MemberRequest(m))]),
            groupId,
            batch))];

    public static int? Silence(ToImOptions options) => options.SilentMemberChanges ? 1 : null;

    public static List<string> Distinct(IReadOnlyList<string> members) => [.. members.Distinct(StringComparer.Ordinal)];

    // REST documents the old literals; whether it takes the new names (Work, Meeting) is not documented.
    public static string GroupType(string type) => type switch
    {
        _ when type.Equals("Work", StringComparison.OrdinalIgnoreCase) => "Private",
        _ when type.Equals("Meeting", StringComparison.OrdinalIgnoreCase) => "ChatRoom",
        _ => type,
    };

    public static List<ImMsgElement> Body(IReadOnlyList<MessageElement> body)
        => [.. body.Select(e => new ImMsgElement(e.MsgType, e.MsgContent))];

    public static List<ImKeyValue>? CustomFields(IReadOnlyList<CustomField>? fields)
        => fields is { Count: > 0 } ? [.. fields.Select(f => new ImKeyValue(f.Key, f.Value))] : null;
}
