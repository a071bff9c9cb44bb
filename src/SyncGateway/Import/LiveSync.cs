using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;

namespace SyncGateway.Import;

/// <summary>
/// What the import shares with the live gateway through its Redis (<c>Redis__Configuration</c>): the message id ledger
/// (live sync skips a message the import wrote), the conversation holds (live sync waits for a conversation's
/// history) and the origin tags of the IM callbacks the import's writes raise (live sync does not relay them to
/// legacy). Absent when the import runs without the gateway's Redis.
/// </summary>
internal sealed record LiveSync(MessageLedger Ledger, ConversationHolds Holds, OriginTags Tags);
