using System.Collections.Frozen;
using SyncGateway.Messaging;

namespace SyncGateway.Events;

/// <summary>
/// Every declared event type, found by reflection, and the lookups derived from them: a new type is picked up by
/// being declared, with no list or switch elsewhere to extend.
/// </summary>
internal static class EventCatalog
{
    public static readonly IReadOnlyList<EventDeclaration> All = [.. typeof(EventDeclaration).Assembly.GetTypes()
        .Where(type => type is { IsAbstract: false } && type.IsSubclassOf(typeof(EventDeclaration)))
        .OrderBy(type => type.Name, StringComparer.Ordinal)
        .Select(type => (EventDeclaration)Activator.CreateInstance(type)!)];

    /// <summary>The declaration of each IM callback command.</summary>
    public static readonly FrozenDictionary<string, EventDeclaration> ByCallbackCommand = All
        .SelectMany(declaration => declaration.CallbackCommands.Select(command => KeyValuePair.Create(command, declaration)))
        .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The declaration of each legacy CloudEvents type.</summary>
    public static readonly FrozenDictionary<string, EventDeclaration> ByLegacyType = All
        .ToFrozenDictionary(declaration => declaration.LegacyType, StringComparer.Ordinal);

    /// <summary>The direction each bus message travels in.</summary>
    public static readonly FrozenDictionary<Type, RelayDirection> DirectionOf = All
        .SelectMany(declaration => declaration.ImEvent is { } imEvent
            ? new[] { KeyValuePair.Create(imEvent, RelayDirection.ImToLegacy), KeyValuePair.Create(declaration.LegacyEvent, RelayDirection.LegacyToIm) }
            : [KeyValuePair.Create(declaration.LegacyEvent, RelayDirection.LegacyToIm)])
        .ToFrozenDictionary();

    /// <summary>The bus message type of each CloudEvents type, both directions (<c>im.…</c> and <c>legacy.…</c>).</summary>
    public static readonly FrozenDictionary<string, Type> MessageTypeOf = All
        .SelectMany(declaration => declaration is { ImType: { } imType, ImEvent: { } imEvent }
            ? new[] { KeyValuePair.Create(imType, imEvent), KeyValuePair.Create(declaration.LegacyType, declaration.LegacyEvent) }
            : [KeyValuePair.Create(declaration.LegacyType, declaration.LegacyEvent)])
        .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The one declaration of type <typeparamref name="T"/>, for code that builds its events outside a callback (the gap repair).</summary>
    public static T Get<T>()
        where T : EventDeclaration
        => All.OfType<T>().Single();
}
