using System.Text.Json;
using MassTransit;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.FromLegacy;
using SyncGateway.Messaging;
using SyncGateway.ToIm;
using SyncGateway.ToLegacy;

namespace SyncGateway.Events;

/// <summary>
/// One event type as the rest of the gateway sees it, whatever its data: the names it travels under and what the
/// intakes and the bus derive from it. Each type is one sealed subclass of
/// <see cref="EventDeclaration{TData, TImEvent, TLegacyEvent}"/> (both ways) or of
/// <see cref="LegacyEventDeclaration{TData, TLegacyEvent}"/> (legacy → IM only, for what IM reports no callback
/// of); <see cref="EventCatalog"/> finds them all.
/// </summary>
internal abstract class EventDeclaration(string? imType, string legacyType, IReadOnlyList<string> callbackCommands)
{
    /// <summary>CloudEvents type of the IM → legacy event, e.g. <c>im.c2c.message.sent</c>; null for a legacy → IM only type.</summary>
    public string? ImType { get; } = imType;

    /// <summary>CloudEvents type of the legacy → IM event, e.g. <c>legacy.c2c.message.sent</c>.</summary>
    public string LegacyType { get; } = legacyType;

    /// <summary>The IM after-callbacks (<c>CallbackCommand</c>) this type comes from; none for a legacy → IM only type.</summary>
    public IReadOnlyList<string> CallbackCommands { get; } = callbackCommands;

    /// <summary>The bus message of the IM → legacy direction; null for a legacy → IM only type.</summary>
    public abstract Type? ImEvent { get; }

    /// <summary>The bus message of the legacy → IM direction.</summary>
    public abstract Type LegacyEvent { get; }

    /// <summary>
    /// Turns one callback body of <paramref name="command"/> into its event. A body that is not what the command
    /// documents throws <see cref="InvalidCallbackException"/> or <see cref="JsonException"/>. Only called for a
    /// command in <see cref="CallbackCommands"/>.
    /// </summary>
    public abstract CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context);

    /// <summary>
    /// Reads the <c>data</c> of a delta of <see cref="LegacyType"/>; null when it is invalid, with every problem
    /// reported. A <c>data</c> of the wrong shape throws <see cref="JsonException"/>.
    /// </summary>
    public abstract ISyncEvent? ReadDelta(EventMeta meta, JsonElement data, DeltaProblems problems);

    /// <summary>Registers the type's relay consumer of each of its directions and its <see cref="IEventDeclaration{TData}"/>.</summary>
    public abstract void AddTo(IBusRegistrationConfigurator bus);
}

/// <summary>What the relays of both directions ask of an event type, by its data.</summary>
internal interface IEventDeclaration<TData>
    where TData : class
{
    /// <summary>The conversation the event belongs to: its CloudEvents subject and ordering key.</summary>
    string Conversation(TData data);

    /// <summary>The echo parts of an IM event (or of the IM write that causes it): one per message, member or changed field.</summary>
    IReadOnlyList<string> ImEchoParts(TData data);

    /// <summary>The echo parts of a legacy delta (or of the relay to legacy that causes it), by content.</summary>
    IReadOnlyList<string> LegacyEchoParts(TData data);

    /// <summary>The data without the parts flagged in <paramref name="suppressed"/>; null when nothing is left.</summary>
    TData? Without(TData data, IReadOnlyList<bool> suppressed);

    /// <summary>The IM REST calls that apply a legacy delta, and the echo parts they will cause.</summary>
    ImWritePlan ToIm(EventMeta meta, TData data, ImWriteSettings settings);

    /// <summary>When the message was sent at its source; null for events that are not messages.</summary>
    DateTimeOffset? SentAt(EventMeta meta, TData data);
}

/// <summary>
/// The declaration of a type that travels legacy → IM only: its contract (<typeparamref name="TData"/> and the bus
/// message), its CloudEvents type, its conversation, how it becomes IM REST calls, its echo parts and what a delta of
/// it must contain. <see cref="EventDeclaration{TData, TImEvent, TLegacyEvent}"/> adds the IM → legacy direction.
/// </summary>
internal abstract class LegacyEventDeclaration<TData, TLegacyEvent>(string? imType, string legacyType, IReadOnlyList<string> callbackCommands)
    : EventDeclaration(imType, legacyType, callbackCommands), IEventDeclaration<TData>
    where TData : class
    where TLegacyEvent : class, ISyncEvent<TData>
{
    protected LegacyEventDeclaration(string legacyType)
        : this(null, legacyType, [])
    {
    }

    public override Type? ImEvent => null;

    public sealed override Type LegacyEvent => typeof(TLegacyEvent);

    public abstract string Conversation(TData data);

    public abstract IReadOnlyList<string> ImEchoParts(TData data);

    public abstract IReadOnlyList<string> LegacyEchoParts(TData data);

    public abstract ImWritePlan ToIm(EventMeta meta, TData data, ImWriteSettings settings);

    public virtual DateTimeOffset? SentAt(EventMeta meta, TData data) => null;

    public override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context)
        => throw new InvalidOperationException($"{LegacyType} comes from no IM callback");

    public TData? Without(TData data, IReadOnlyList<bool> suppressed)
        => suppressed.All(s => !s) ? data
            : suppressed.All(s => s) ? null
            : Keep(data, suppressed);

    public sealed override ISyncEvent? ReadDelta(EventMeta meta, JsonElement data, DeltaProblems problems)
    {
        var before = problems.Count;
        if (data.Deserialize<TData>(CloudEventFormat.DataJson) is not { } typed)
        {
            problems.Add("data", "is required and must be a JSON object");
            return null;
        }
        Validate(typed, problems);
        if (problems.Count > before)
        {
            return null;
        }
        var conversation = Conversation(typed);
        if (Conversations.Problem(conversation) is { } problem)
        {
            problems.Add("data", problem);
            return null;
        }
        return NewLegacyEvent(meta with { Subject = conversation }, typed);
    }

    public override void AddTo(IBusRegistrationConfigurator bus)
    {
        bus.AddSingleton<IEventDeclaration<TData>>(this);
        bus.AddRelayConsumer<ApplyToIm<TLegacyEvent, TData>, TLegacyEvent>(RelayDirection.LegacyToIm);
    }

    /// <summary>The parts not flagged, for a type whose echo parts can be removed one by one (members, fields).</summary>
    protected virtual TData? Keep(TData data, IReadOnlyList<bool> suppressed)
        => throw new InvalidOperationException($"{typeof(TData).Name} has one echo part; it is suppressed whole or not at all");

    /// <summary>Reports what a delta's data lacks (required fields, members, body elements).</summary>
    protected abstract void Validate(TData data, DeltaProblems problems);

    protected abstract TLegacyEvent NewLegacyEvent(EventMeta meta, TData data);
}

/// <summary>
/// The declaration of one event type that travels both ways: its contract (<typeparamref name="TData"/> and the two
/// bus messages), its names both ways, the IM callbacks it comes from and how their bodies map to it, its
/// conversation, how it becomes IM REST calls, its echo fingerprints and what a delta of it must contain. Everything
/// else is derived.
/// </summary>
internal abstract class EventDeclaration<TData, TImEvent, TLegacyEvent>(string imType, string legacyType, params IReadOnlyList<string> callbackCommands)
    : LegacyEventDeclaration<TData, TLegacyEvent>(imType, legacyType, callbackCommands)
    where TData : class
    where TImEvent : class, ISyncEvent<TData>
    where TLegacyEvent : class, ISyncEvent<TData>
{
    /// <summary>CloudEvents type of the IM → legacy event, e.g. <c>im.c2c.message.sent</c>.</summary>
    public new string ImType => base.ImType!;

    public sealed override Type ImEvent => typeof(TImEvent);

    public abstract override CallbackParseResult ParseCallback(string command, ReadOnlySpan<byte> body, CallbackContext context);

    public sealed override void AddTo(IBusRegistrationConfigurator bus)
    {
        base.AddTo(bus);
        bus.AddRelayConsumer<RelayToLegacy<TImEvent, TData>, TImEvent>(RelayDirection.ImToLegacy);
    }
}

/// <summary>An event about one group: its conversation is the group's.</summary>
internal abstract class GroupEventDeclaration<TData, TImEvent, TLegacyEvent>(string imType, string legacyType, params IReadOnlyList<string> callbackCommands)
    : EventDeclaration<TData, TImEvent, TLegacyEvent>(imType, legacyType, callbackCommands)
    where TData : class, IGroupEventData
    where TImEvent : class, ISyncEvent<TData>
    where TLegacyEvent : class, ISyncEvent<TData>
{
    public sealed override string Conversation(TData data) => Conversations.Group(data.GroupId);
}
