using System.Globalization;
using System.Text.Json;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Messaging;

namespace SyncGateway.FromIm;

/// <summary>The result of reading one callback: an event to publish, an event to leave alone, an unknown command, or a bad body.</summary>
internal abstract record CallbackParseResult
{
    /// <summary>The events of one callback, in order: one, or one per item of a callback that reports several (recalled messages, friend pairs).</summary>
    public sealed record Accepted(IReadOnlyList<ISyncEvent> Events) : CallbackParseResult
    {
        public Accepted(ISyncEvent evt)
            : this([evt])
        {
        }

        /// <summary>The first event (the only one of most callbacks).</summary>
        public ISyncEvent Event => Events[0];
    }

    public sealed record Ignored(string EventType, string Reason) : CallbackParseResult;
    public sealed record UnknownCommand(string Command) : CallbackParseResult;
    public sealed record Invalid(string Problem) : CallbackParseResult;
}

/// <summary>Turns IM after-callbacks into bus events through the declaration of each command (<see cref="EventCatalog"/>).</summary>
internal sealed class ImCallbackParser(long sdkAppId, bool relayUndeliveredC2CMessages)
{
    private readonly string _source = $"/im/{sdkAppId.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The context to build events from IM's history in, as their callbacks would have been built at <paramref name="now"/>.</summary>
    public CallbackContext HistoryContext(DateTimeOffset now) => new(_source, now, relayUndeliveredC2CMessages);

    public static bool IsKnown(string command) => EventCatalog.ByCallbackCommand.ContainsKey(command);

    public CallbackParseResult Parse(string command, ReadOnlySpan<byte> body, DateTimeOffset receivedAt)
    {
        if (!EventCatalog.ByCallbackCommand.TryGetValue(command, out var declaration))
        {
            return new CallbackParseResult.UnknownCommand(command);
        }
        try
        {
            var result = declaration.ParseCallback(command, body, new CallbackContext(_source, receivedAt, relayUndeliveredC2CMessages));
            return result is CallbackParseResult.Accepted accepted
                   && accepted.Events.Select(e => Conversations.Problem(e.Meta.Subject)).FirstOrDefault(p => p is not null) is { } problem
                ? new CallbackParseResult.Invalid($"{command} body {problem}")
                : result;
        }
        catch (JsonException ex)
        {
            return new CallbackParseResult.Invalid($"{command} body is not valid JSON for this command: {ex.Message}");
        }
        catch (InvalidCallbackException ex)
        {
            return new CallbackParseResult.Invalid($"{command} body {ex.Message}");
        }
    }
}
