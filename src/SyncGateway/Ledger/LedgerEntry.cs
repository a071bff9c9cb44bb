using System.Text.Json.Serialization;
using SyncGateway.Contracts;

namespace SyncGateway.Ledger;

/// <summary>Which side a message was first written on.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MessageOrigin>))]
internal enum MessageOrigin
{
    /// <summary>Sent on the legacy side and written to IM by the gateway (or by the history import).</summary>
    Legacy,

    /// <summary>Sent in IM and relayed to legacy by the gateway.</summary>
    Im,
}

/// <summary>
/// One message's ids on both sides. A 1:1 message is named in IM by <see cref="MsgKey"/>, a group message by
/// <see cref="GroupId"/> (and <see cref="TopicId"/> in topic-enabled communities) and <see cref="MsgSeq"/>.
/// </summary>
/// <param name="LegacyMessageId">
/// The legacy side's id: the delta's <c>data.legacyMessageId</c> (or its CloudEvent <c>id</c>) for a message from
/// legacy; for a message born in IM, the CloudEvent <c>id</c> the gateway relayed it to legacy under.
/// </param>
/// <param name="Origin">Which side the message was first written on.</param>
/// <param name="From">Sender user id.</param>
/// <param name="To">Recipient user id (1:1).</param>
/// <param name="MsgKey">IM's unique key of a 1:1 message.</param>
/// <param name="GroupId">Group id (group message).</param>
/// <param name="MsgSeq">IM's per-group sequence number (group message).</param>
/// <param name="TopicId">Topic id in a topic-enabled community (group message).</param>
/// <param name="MsgTime">IM's send time, Unix seconds, when known.</param>
/// <param name="MsgRandom">
/// The <c>MsgRandom</c> the gateway gave a 1:1 message it wrote to IM: with sender, recipient and time it finds the
/// message in IM's history when IM answered no <c>MsgKey</c> (<c>importmsg</c>).
/// </param>
internal sealed record LedgerEntry(
    string LegacyMessageId,
    MessageOrigin Origin,
    string From,
    string? To = null,
    string? MsgKey = null,
    string? GroupId = null,
    long? MsgSeq = null,
    string? TopicId = null,
    long? MsgTime = null,
    long? MsgRandom = null)
{
    /// <summary>True when IM's id of the message is known (<c>MsgKey</c>, or group and <c>MsgSeq</c>).</summary>
    [JsonIgnore]
    public bool HasImId => MsgKey is not null || (GroupId is not null && MsgSeq is not null);

    /// <summary><paramref name="target"/> with the ids it lacks taken from this entry; the ids it has are kept.</summary>
    public MessageTarget Complete(MessageTarget target) => target with
    {
        LegacyMessageId = target.LegacyMessageId ?? LegacyMessageId,
        MsgKey = target.MsgKey ?? MsgKey,
        GroupId = target.GroupId ?? GroupId,
        MsgSeq = target.MsgSeq ?? MsgSeq,
        TopicId = target.TopicId ?? TopicId,
    };
}
