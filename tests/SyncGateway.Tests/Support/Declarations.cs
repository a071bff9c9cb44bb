using SyncGateway.Events;

namespace SyncGateway.Tests.Support;

/// <summary>The declared event type of a data model, as the relays get it.</summary>
internal static class Declarations
{
    public static IEventDeclaration<TData> Of<TData>()
        where TData : class
        => EventCatalog.All.OfType<IEventDeclaration<TData>>().Single();
}
