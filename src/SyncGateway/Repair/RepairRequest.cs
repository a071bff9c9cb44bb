namespace SyncGateway.Repair;

/// <summary>
/// What <c>SyncGateway repair</c> was asked for: a window (whole seconds, both ends inclusive), the groups or 1:1
/// conversations it is limited to, and whether it relays what it finds.
/// </summary>
internal sealed record RepairRequest(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<string>? Groups, IReadOnlyList<C2CPair>? Conversations, bool DryRun)
{
    /// <summary>Naming groups or conversations limits the run to the parts named; naming neither runs both.</summary>
    public bool RunsGroups => Groups is not null || Conversations is null;

    /// <inheritdoc cref="RunsGroups"/>
    public bool RunsConversations => Conversations is not null || Groups is null;
}
