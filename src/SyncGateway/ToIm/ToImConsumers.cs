using MassTransit;
using SyncGateway.Contracts;

namespace SyncGateway.ToIm;

// One thin consumer per legacy event type; the policy (order, retry) is in ToImRegistration's definitions.

internal sealed class LegacyC2CMessageSentConsumer(ImWriter writer) : IConsumer<LegacyC2CMessageSent>
{
    public Task Consume(ConsumeContext<LegacyC2CMessageSent> context) => writer.ApplyAsync(context, context.Message);
}

internal sealed class LegacyGroupCreatedConsumer(ImWriter writer) : IConsumer<LegacyGroupCreated>
{
    public Task Consume(ConsumeContext<LegacyGroupCreated> context) => writer.ApplyAsync(context, context.Message);
}

internal sealed class LegacyGroupDismissedConsumer(ImWriter writer) : IConsumer<LegacyGroupDismissed>
{
    public Task Consume(ConsumeContext<LegacyGroupDismissed> context) => writer.ApplyAsync(context, context.Message);
}

internal sealed class LegacyGroupProfileChangedConsumer(ImWriter writer) : IConsumer<LegacyGroupProfileChanged>
{
    public Task Consume(ConsumeContext<LegacyGroupProfileChanged> context) => writer.ApplyAsync(context, context.Message);
}

internal sealed class LegacyGroupMembersJoinedConsumer(ImWriter writer) : IConsumer<LegacyGroupMembersJoined>
{
    public Task Consume(ConsumeContext<LegacyGroupMembersJoined> context) => writer.ApplyAsync(context, context.Message);
}

internal sealed class LegacyGroupMembersLeftConsumer(ImWriter writer) : IConsumer<LegacyGroupMembersLeft>
{
    public Task Consume(ConsumeContext<LegacyGroupMembersLeft> context) => writer.ApplyAsync(context, context.Message);
}

internal sealed class LegacyGroupMessageSentConsumer(ImWriter writer) : IConsumer<LegacyGroupMessageSent>
{
    public Task Consume(ConsumeContext<LegacyGroupMessageSent> context) => writer.ApplyAsync(context, context.Message);
}
