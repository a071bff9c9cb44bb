using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Ledger;

namespace SyncGateway.Events;

/// <summary>What the message ledger asks of a message type, beside <see cref="IEventDeclaration{TData}"/>.</summary>
internal interface IMessageDeclaration<TData>
    where TData : class
{
    /// <summary>The ledger entry of a message relayed from IM, from its callback; null when the callback lacks IM's id.</summary>
    LedgerEntry? FromIm(EventMeta meta, TData data);

    /// <summary>
    /// The ledger entry of a legacy message written to IM, from IM's answer to the write: with IM's id when the answer
    /// gives it, else under the legacy id only (a 1:1 message written with <c>importmsg</c>); null when the type cannot
    /// be recorded without IM's id (a group message whose answer lacks its <c>MsgSeq</c>).
    /// </summary>
    LedgerEntry? FromImAnswer(EventMeta meta, TData data, JsonElement answer);

    /// <summary>The legacy message id of a legacy delta: its <c>data.legacyMessageId</c>, or its CloudEvent id.</summary>
    string LegacyId(EventMeta meta, TData data);

    /// <summary>The data of an IM event about a message that came from legacy, naming the legacy id.</summary>
    TData WithLegacyMessageId(TData data, string legacyMessageId);
}
