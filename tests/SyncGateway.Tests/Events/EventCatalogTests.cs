using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Messaging;
using SyncGateway.Tests.Deployment;

namespace SyncGateway.Tests.Events;

public sealed class EventCatalogTests
{
    private static readonly string Contract = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "legacy-contract.md"));

    [Fact]
    public void Finds_every_declared_event_type()
    {
        Assert.Equal(
            ["AccountCreatedDeclaration", "C2CMessageDeclaration", "C2CMessageEditedDeclaration", "C2CMessageReadDeclaration",
             "C2CMessageRecalledDeclaration", "FriendAddedDeclaration", "FriendRemovedDeclaration", "GroupCreatedDeclaration",
             "GroupDismissedDeclaration", "GroupMemberChangedDeclaration", "GroupMembersJoinedDeclaration", "GroupMembersLeftDeclaration",
             "GroupMessageDeclaration", "GroupMessageEditedDeclaration", "GroupMessageRecalledDeclaration", "GroupOwnerChangedDeclaration",
             "GroupProfileChangedDeclaration", "ProfileChangedDeclaration"],
            EventCatalog.All.Select(d => d.GetType().Name));
    }

    [Fact]
    public void Every_public_event_type_name_is_declared_exactly_once_each_way()
    {
        var published = typeof(EventTypes).GetFields().Select(f => (string)f.GetValue(null)!).Order(StringComparer.Ordinal);

        Assert.Equal(published, EventCatalog.All.SelectMany(d => new[] { d.ImType, d.LegacyType }).OfType<string>().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_type_without_an_IM_event_has_neither_an_IM_type_nor_callback_commands_and_travels_legacy_to_IM_only()
    {
        var account = Assert.Single(EventCatalog.All, d => d.ImEvent is null);

        Assert.Equal(EventTypes.LegacyAccountCreated, account.LegacyType);
        Assert.Null(account.ImType);
        Assert.Empty(account.CallbackCommands);
        Assert.Equal(RelayDirection.LegacyToIm, EventCatalog.DirectionOf[account.LegacyEvent]);
        Assert.Equal(account.LegacyEvent, EventCatalog.MessageTypeOf[EventTypes.LegacyAccountCreated]);
    }

    [Fact]
    public void Every_callback_command_belongs_to_one_type()
    {
        var commands = EventCatalog.All.SelectMany(d => d.CallbackCommands).ToList();

        Assert.Equal(commands.Count, commands.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(commands.Order(StringComparer.Ordinal), EventCatalog.ByCallbackCommand.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_bus_message_belongs_to_one_type_and_one_direction()
    {
        var messages = EventCatalog.All.SelectMany(d => new[] { d.ImEvent, d.LegacyEvent }).OfType<Type>().ToList();

        Assert.Equal(messages.Count, messages.Distinct().Count());
        Assert.All(messages, message => Assert.Contains(message, EventCatalog.DirectionOf.Keys));
    }

    [Fact]
    public void Every_declared_type_is_in_the_legacy_contract_with_its_callback_command()
    {
        Assert.All(EventCatalog.All, declaration =>
        {
            if (declaration.ImType is { } imType)
            {
                Assert.Contains($"\"type\":\"{imType}\"", Contract, StringComparison.Ordinal);
            }
            Assert.Contains($"\"type\":\"{declaration.LegacyType}\"", Contract, StringComparison.Ordinal);
            Assert.All(declaration.CallbackCommands, command => Assert.Contains(command, Contract, StringComparison.Ordinal));
        });
    }
}
