using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Store;

namespace SyncGateway.Ledger;

/// <summary>
/// For every message the gateway relayed either way (and every group message the history import wrote), its ids on
/// both sides, kept in the store for <c>Ledger:MessageTtlDays</c>. Each entry is stored whole under each of its ids
/// (legacy id; <c>MsgKey</c>, or group and <c>MsgSeq</c>), so every lookup is one read of one key. Recall, edit and
/// read events and the admin API find a message's other id here.
/// </summary>
internal sealed class MessageLedger(IKeyValueStore store, IOptions<LedgerOptions> options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private TimeSpan Ttl => TimeSpan.FromDays(options.Value.MessageTtlDays);

    /// <summary>
    /// Records <paramref name="entry"/> under each of its ids (for a 1:1 message IM answered without a <c>MsgKey</c>, as
    /// <c>importmsg</c> does, under the ids the gateway gave it instead). A message from legacy overwrites what is there (IM's answer to the gateway's own write is
    /// the truth); a message born in IM is written only where nothing is yet, so it can never replace the entry of a
    /// legacy message. Writing the same entry again changes nothing.
    /// </summary>
    public async Task RecordAsync(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var value = JsonSerializer.Serialize(entry, Json);
        var onlyIfAbsent = entry.Origin == MessageOrigin.Im;
        var byLegacyId = store.SetValueAsync(RedisKeys.LedgerByLegacyId(entry.LegacyMessageId), value, Ttl, onlyIfAbsent);
        // Both at once: one round trip on the relay's path instead of two (the writes are independent).
        await (ImKeyOrNull(entry) is { } imKey ? Task.WhenAll(byLegacyId, store.SetValueAsync(imKey, value, Ttl, onlyIfAbsent)) : (Task)byLegacyId);
    }

    /// <summary>
    /// The entry of the 1:1 message IM lists in its history with these ids, recorded when IM answered the gateway's write
    /// without a <c>MsgKey</c> (see <see cref="LedgerEntry.MsgRandom"/>).
    /// </summary>
    public Task<LedgerEntry?> FindByC2CIdsAsync(string from, string to, long msgRandom, long msgTime)
        => FindAsync(RedisKeys.LedgerByC2CIds(from, to, msgRandom, msgTime));

    /// <summary>The entry of the message the legacy side knows as <paramref name="legacyMessageId"/>.</summary>
    public Task<LedgerEntry?> FindByLegacyIdAsync(string legacyMessageId)
        => FindAsync(RedisKeys.LedgerByLegacyId(legacyMessageId));

    /// <summary>The entry of the 1:1 message IM knows as <paramref name="msgKey"/>.</summary>
    public Task<LedgerEntry?> FindByMsgKeyAsync(string msgKey)
        => FindAsync(RedisKeys.LedgerByMsgKey(msgKey));

    /// <summary>The entry of the group message <paramref name="msgSeq"/> of <paramref name="groupId"/> (and topic).</summary>
    public Task<LedgerEntry?> FindByGroupSeqAsync(string groupId, long msgSeq, string? topicId = null)
        => FindAsync(RedisKeys.LedgerByGroupSeq(groupId, topicId, msgSeq));

    /// <summary>
    /// The entry of the message <paramref name="target"/> names: by its legacy id first, then by IM's id; null when
    /// none of its ids is recorded.
    /// </summary>
    public async Task<LedgerEntry?> FindAsync(MessageTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!string.IsNullOrEmpty(target.LegacyMessageId) && await FindByLegacyIdAsync(target.LegacyMessageId) is { } byLegacyId)
        {
            return byLegacyId;
        }
        return !string.IsNullOrEmpty(target.MsgKey) ? await FindByMsgKeyAsync(target.MsgKey)
            : target is { GroupId: { Length: > 0 } groupId, MsgSeq: { } msgSeq } ? await FindByGroupSeqAsync(groupId, msgSeq, target.TopicId)
            : null;
    }

    /// <summary>The entry recorded for the IM id of <paramref name="probe"/>.</summary>
    public Task<LedgerEntry?> FindByImIdAsync(LedgerEntry probe) => FindAsync(ImKey(probe));

    private async Task<LedgerEntry?> FindAsync(string key)
        => await store.GetValueAsync(key) is { } value ? JsonSerializer.Deserialize<LedgerEntry>(value, Json) : null;

    private static string ImKey(LedgerEntry entry)
        => ImKeyOrNull(entry) ?? throw new ArgumentException("A ledger entry needs IM's id of the message (MsgKey, or GroupId and MsgSeq).", nameof(entry));

    private static string? ImKeyOrNull(LedgerEntry entry)
        => entry.MsgKey is { } msgKey ? RedisKeys.LedgerByMsgKey(msgKey)
            : entry is { GroupId: { } groupId, MsgSeq: { } msgSeq } ? RedisKeys.LedgerByGroupSeq(groupId, entry.TopicId, msgSeq)
            : entry is { To: { } to, MsgRandom: { } random, MsgTime: { } msgTime } ? RedisKeys.LedgerByC2CIds(entry.From, to, random, msgTime)
            : null;
}
