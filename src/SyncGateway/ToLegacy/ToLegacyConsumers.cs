using MassTransit;
using SyncGateway.Contracts;

namespace SyncGateway.ToLegacy;

// One thin consumer per IM event type; the policy (order, retry) is in ToLegacyRegistration's definitions.

internal sealed class ImC2CMessageSentConsumer(LegacyRelay relay) : IConsumer<ImC2CMessageSent>
{
    public Task Consume(ConsumeContext<ImC2CMessageSent> context) => relay.RelayAsync(context, context.Message);
}

internal sealed class ImGroupCreatedConsumer(LegacyRelay relay) : IConsumer<ImGroupCreated>
{
    public Task Consume(ConsumeContext<ImGroupCreated> context) => relay.RelayAsync(context, context.Message);
}

internal sealed class ImGroupDismissedConsumer(LegacyRelay relay) : IConsumer<ImGroupDismissed>
{
    public Task Consume(ConsumeContext<ImGroupDismissed> context) => relay.RelayAsync(context, context.Message);
}

internal sealed class ImGroupProfileChangedConsumer(LegacyRelay relay) : IConsumer<ImGroupProfileChanged>
{
    public Task Consume(ConsumeContext<ImGroupProfileChanged> context) => relay.RelayAsync(context, context.Message);
}

internal sealed class ImGroupMembersJoinedConsumer(LegacyRelay relay) : IConsumer<ImGroupMembersJoined>
{
    public Task Consume(ConsumeContext<ImGroupMembersJoined> context) => relay.RelayAsync(context, context.Message);
}

internal sealed class ImGroupMembersLeftConsumer(LegacyRelay relay) : IConsumer<ImGroupMembersLeft>
{
    public Task Consume(ConsumeContext<ImGroupMembersLeft> context) => relay.RelayAsync(context, context.Message);
}

internal sealed class ImGroupMessageSentConsumer(LegacyRelay relay) : IConsumer<ImGroupMessageSent>
{
    public Task Consume(ConsumeContext<ImGroupMessageSent> context) => relay.RelayAsync(context, context.Message);
}
