namespace SyncGateway.FromIm;

/// <summary>Logger category of the IM callback intake.</summary>
internal sealed class ImCallbackEndpointLog;

// Logs an event's identity (command, id, conversation), never its content.
internal static partial class ImCallbackLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "IM callback refused: {Problem}")]
    public static partial void Refused(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Debug, Message = "IM callback {Command} is not one the gateway relays; answered OK, not published")]
    public static partial void UnknownCommand(ILogger logger, string command);

    [LoggerMessage(Level = LogLevel.Warning, Message = "IM callback {Command} rejected: {Problem}")]
    public static partial void Invalid(ILogger logger, string command, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "IM callback {Command} not relayed: {Reason}")]
    public static partial void Ignored(ILogger logger, string command, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "IM callback {Command} event {CloudEventId} on {Conversation} could not be made durable; answered 503 (IM does not retry: the event is lost unless IM retry is enabled)")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string command, string cloudEventId, string conversation);

    [LoggerMessage(Level = LogLevel.Error, Message = "IM callback {Command} event {CloudEventId} on {Conversation} refused with 503: the broker does not confirm and {Problem} (IM does not retry: the event is lost unless IM retry is enabled)")]
    public static partial void SpoolFull(ILogger logger, string command, string cloudEventId, string conversation, string problem);

}
