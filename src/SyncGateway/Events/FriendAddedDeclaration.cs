using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Im;
using SyncGateway.Messaging;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A friend added: <c>Sns.CallbackFriendAdd</c> ↔ <c>sns/friend_add</c>. One event per edge (<c>to</c> is now in
/// <c>from</c>'s list), as IM reports them: a two-way friendship is two events. The gateway adds each edge one way and
/// forced (<c>Add_Type_Single</c>, <c>ForceAddFlags: 1</c>), so a friendship legacy already accepted never waits for
/// approval in IM.
/// </summary>
internal sealed class FriendAddedDeclaration()
    : EventDeclaration<FriendAddedData, ImFriendAdded, LegacyFriendAdded>(EventTypes.ImFriendAdded, EventTypes.LegacyFriendAdded, FriendAddedDeclaration.Command)
{
    public const string Command = "Sns.CallbackFriendAdd";

    public override string Conversation(FriendAddedData data) => Conversations.C2C(data.From, data.To);

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<FriendChangeBody>(body);
        return new CallbackParseResult.Accepted(FriendPairs.Events(b, command, context, (from, to, pair) =>
        {
            var data = new FriendAddedData(from, to, pair.InitiatorAccount);
            return new ImFriendAdded(FriendPairs.Meta(ImType, Conversation(data), b, command, context, from, to), data);
        }));
    }

    public override IReadOnlyList<string> ImEchoParts(FriendAddedData data) => [$"sns:add:{data.From}:{data.To}"];

    public override IReadOnlyList<string> LegacyEchoParts(FriendAddedData data) => ImEchoParts(data);

    public override ImWritePlan ToIm(EventMeta meta, FriendAddedData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.FriendAdd,
            new FriendAddRequest(data.From, [new AddFriendItemRequest(data.To, settings.Options.FriendAddSource)], "Add_Type_Single", ForceAddFlags: 1),
            Accounts: [data.From, data.To])]);

    protected override void Validate(FriendAddedData data, DeltaProblems problems) => FriendPairs.Validate(data.From, data.To, problems);

    protected override LegacyFriendAdded NewLegacyEvent(EventMeta meta, FriendAddedData data) => new(meta, data);
}

/// <summary>A friend removed: <c>Sns.CallbackFriendDelete</c> ↔ <c>sns/friend_delete</c>, one event per edge, removed one way.</summary>
internal sealed class FriendRemovedDeclaration()
    : EventDeclaration<FriendRemovedData, ImFriendRemoved, LegacyFriendRemoved>(EventTypes.ImFriendRemoved, EventTypes.LegacyFriendRemoved, FriendRemovedDeclaration.Command)
{
    public const string Command = "Sns.CallbackFriendDelete";

    public override string Conversation(FriendRemovedData data) => Conversations.C2C(data.From, data.To);

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
    {
        var b = CallbackContext.Read<FriendChangeBody>(body);
        return new CallbackParseResult.Accepted(FriendPairs.Events(b, command, context, (from, to, _) =>
        {
            var data = new FriendRemovedData(from, to);
            return new ImFriendRemoved(FriendPairs.Meta(ImType, Conversation(data), b, command, context, from, to), data);
        }));
    }

    // IM marks no echo of friend_delete (no admin field): the origin tag is the only signal.
    public override IReadOnlyList<string> ImEchoParts(FriendRemovedData data) => [$"sns:del:{data.From}:{data.To}"];

    public override IReadOnlyList<string> LegacyEchoParts(FriendRemovedData data) => ImEchoParts(data);

    public override ImWritePlan ToIm(EventMeta meta, FriendRemovedData data, ImWriteSettings settings)
        => new(ImEchoParts(data), [new(ImApi.FriendDelete, new FriendDeleteRequest(data.From, [data.To], "Delete_Type_Single"),
            Accounts: [data.From, data.To])]);

    protected override void Validate(FriendRemovedData data, DeltaProblems problems) => FriendPairs.Validate(data.From, data.To, problems);

    protected override LegacyFriendRemoved NewLegacyEvent(EventMeta meta, FriendRemovedData data) => new(meta, data);
}

/// <summary>What both friend types share: one event per pair of <c>PairList</c>, and what a delta must name.</summary>
internal static class FriendPairs
{
    public static List<ISyncEvent> Events(FriendChangeBody body, string command, CallbackContext context, Func<string, string, ImFriendPair, ISyncEvent> create)
    {
        if (body.PairList is not { Count: > 0 } pairs)
        {
            throw new InvalidCallbackException("has no PairList entries");
        }
        return [.. pairs.Select((pair, i) => create(
            CallbackContext.Required(pair?.FromAccount, $"From_Account in PairList entry {i}"),
            CallbackContext.Required(pair?.ToAccount, $"To_Account in PairList entry {i}"),
            pair!))];
    }

    /// <summary>
    /// IM documents no event time for these callbacks, and a pair can be added, removed and added again: the id takes
    /// the event time when IM sends one, else the arrival, so a later change of the same pair is never taken for a
    /// repeat.
    /// </summary>
    public static EventMeta Meta(string type, string conversation, FriendChangeBody body, string command, CallbackContext context, string from, string to)
    {
        var time = context.Time(body.EventTime);
        return context.Meta(type, conversation, time, command, from, to, CallbackContext.Stamp(time.ToUnixTimeMilliseconds()));
    }

    public static void Validate(string from, string to, DeltaProblems problems)
    {
        if (problems.Require(from, "data.from") & problems.Require(to, "data.to") && from == to)
        {
            problems.Add("data.to", "must differ from data.from");
        }
    }
}
