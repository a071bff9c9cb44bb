using SyncGateway.Messaging;

namespace SyncGateway.Admin;

/// <summary>How many events of a direction are parked; the admin status reports it.</summary>
internal interface IParkedEvents
{
    Task<long> CountAsync(RelayDirection direction, CancellationToken cancellationToken);
}

/// <summary>The count until parking exists: none. Parking registers its own <see cref="IParkedEvents"/> in its place.</summary>
internal sealed class NoParkedEvents : IParkedEvents
{
    public Task<long> CountAsync(RelayDirection direction, CancellationToken cancellationToken) => Task.FromResult(0L);
}
