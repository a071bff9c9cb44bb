using SyncGateway.Contracts;

namespace SyncGateway.Events;

/// <summary>
/// What the relays ask of a type that refers to an earlier message (recall, edit), beside
/// <see cref="IEventDeclaration{TData}"/>: its target, which each relay completes from the message ledger before it
/// writes, so legacy always gets its own id and IM always gets its own.
/// </summary>
internal interface IMessageReferenceDeclaration<TData>
    where TData : class
{
    /// <summary>The message the event refers to, by the ids the event carries.</summary>
    MessageTarget Target(TData data);

    /// <summary>The data naming <paramref name="target"/> instead.</summary>
    TData WithTarget(TData data, MessageTarget target);

    /// <summary>True when <paramref name="target"/> names the message the way IM's write API needs it.</summary>
    bool NamesImMessage(MessageTarget target);
}

/// <summary>Echo keys of the events that refer to an earlier message.</summary>
internal static class MessageReferences
{
    /// <summary>
    /// How a legacy echo names the message: by its legacy id when known (a legacy system posting back may keep only
    /// its own id), else by IM's.
    /// </summary>
    public static string LegacyKey(MessageTarget target)
        => target.LegacyMessageId ?? target.MsgKey ?? $"{target.GroupId}:{target.TopicId}:{target.MsgSeq}";

    /// <summary>A group message's IM id: group, topic and <c>MsgSeq</c>.</summary>
    public static string GroupKey(string groupId, MessageTarget target) => $"{groupId}:{target.TopicId}:{target.MsgSeq}";

    /// <summary>
    /// What an edit changes, fingerprinted: the new body when it has one (IM's edit callbacks carry the body), else
    /// the new custom data.
    /// </summary>
    public static string EditContent(IReadOnlyList<MessageElement>? body, string? cloudCustomData)
        => body is not null ? Fingerprints.Hash("body", Fingerprints.Normalise(body)) : Fingerprints.Hash("custom", cloudCustomData ?? "");
}
