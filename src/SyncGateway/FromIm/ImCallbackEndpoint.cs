using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Messaging;
using SyncGateway.Repair;
using SyncGateway.Spool;

namespace SyncGateway.FromIm;

internal static class ImCallbackEndpoint
{
    public const string Path = "/im/callbacks";

    /// <summary><c>POST /im/callbacks</c>: the URL operators paste into the IM console.</summary>
    public static RouteGroupBuilder MapImCallbacks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Path).WithTags("IM callbacks");
        group.MapPost("", HandleAsync).RequireImCallbackSignature();
        return group;
    }

    // Verify (filter), parse, publish with confirm, answer: the answer must come far inside IM's 2 s.
    private static async Task<Results<ContentHttpResult, JsonHttpResult<ImAnswer>>> HandleAsync(
        HttpContext http,
        ImCallbackParser parser,
        IEventPublisher publisher,
        IOptions<ImOptions> options,
        TimeProvider time,
        SyncTelemetry telemetry,
        MissedCallbacks missed,
        ILogger<ImCallbackEndpointLog> logger)
    {
        var body = await RequestBody.ReadAsync(http.Request, options.Value.CallbackMaxBodyBytes, http.RequestAborted);
        if (body is null)
        {
            return ImAnswers.Fail(StatusCodes.Status413PayloadTooLarge, $"body exceeds {options.Value.CallbackMaxBodyBytes} bytes");
        }

        var queryCommand = (string?)http.Request.Query["CallbackCommand"];
        if (JsonInput.Check(body.Span) is { } problem)
        {
            return Refused(telemetry, logger, queryCommand ?? "?",
                problem.Path == "$" ? problem.Message : $"body {problem.Path} {problem.Message}");
        }

        var bodyCommand = CommandInBody(body.Memory);
        if (queryCommand is not null && bodyCommand is not null && queryCommand != bodyCommand)
        {
            return Refused(telemetry, logger, queryCommand, $"CallbackCommand is {queryCommand} in the query but {bodyCommand} in the body");
        }
        var command = queryCommand ?? bodyCommand;
        if (string.IsNullOrEmpty(command))
        {
            return ImAnswers.Fail(StatusCodes.Status400BadRequest, "CallbackCommand is missing from the query and the body");
        }

        switch (parser.Parse(command, body.Span, time.GetUtcNow()))
        {
            case CallbackParseResult.UnknownCommand:
                telemetry.RecordOutcome(RelayDirection.ImToLegacy, "unknown", SyncTelemetry.Outcomes.Ignored, "unknown-command");
                ImCallbackLog.UnknownCommand(logger, command);
                return ImAnswers.Ok();
            case CallbackParseResult.Invalid invalid:
                return Refused(telemetry, logger, command, invalid.Problem);
            case CallbackParseResult.Ignored ignored:
                telemetry.RecordOutcome(RelayDirection.ImToLegacy, ignored.EventType, SyncTelemetry.Outcomes.Ignored, ignored.Reason);
                ImCallbackLog.Ignored(logger, command, ignored.Reason);
                return ImAnswers.Ok();
            case CallbackParseResult.Accepted accepted:
                foreach (var evt in accepted.Events)
                {
                    // In order, each durable before the next: an error answer leaves the earlier ones published, and a
                    // repeat of the callback (IM's optional retry) dedupes them by their ids.
                    if (await PublishAsync(evt, command, publisher, telemetry, logger, http.RequestAborted) is { } failure)
                    {
                        // IM does not retry by default: the gap repair reads this moment's 1:1 history later.
                        missed.Note(time.GetUtcNow());
                        return failure;
                    }
                }
                return ImAnswers.Ok();
            default:
                throw new InvalidOperationException("unreachable");
        }
    }

    /// <summary>Publishes one event; null once it is durable, else the error answer.</summary>
    private static async Task<JsonHttpResult<ImAnswer>?> PublishAsync(
        ISyncEvent evt, string command, IEventPublisher publisher, SyncTelemetry telemetry, ILogger logger, CancellationToken cancellationToken)
    {
        var meta = evt.Meta;
        SyncTelemetry.TagEvent(System.Diagnostics.Activity.Current, RelayDirection.ImToLegacy, meta.Type, meta.Id, meta.Subject);
        telemetry.RecordReceived(RelayDirection.ImToLegacy, meta.Type);
        try
        {
            await publisher.PublishAsync(evt, cancellationToken);
        }
        catch (SpoolFullException ex)
        {
            telemetry.RecordSpoolRefused(RelayDirection.ImToLegacy);
            telemetry.RecordOutcome(RelayDirection.ImToLegacy, meta.Type, SyncTelemetry.Outcomes.Faulted, "spool-full");
            ImCallbackLog.SpoolFull(logger, command, meta.Id, meta.Subject, ex.Message);
            return ImAnswers.Fail(StatusCodes.Status503ServiceUnavailable, "event could not be made durable: the broker is away and the spool is full");
        }
#pragma warning disable CA1031 // Any broker failure means "not durable": answer an error, never OK.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            telemetry.RecordOutcome(RelayDirection.ImToLegacy, meta.Type, SyncTelemetry.Outcomes.Faulted, "broker-unavailable");
            ImCallbackLog.PublishFailed(logger, ex, command, meta.Id, meta.Subject);
            return ImAnswers.Fail(StatusCodes.Status503ServiceUnavailable, "event could not be made durable");
        }
        telemetry.RecordOutcome(RelayDirection.ImToLegacy, meta.Type, SyncTelemetry.Outcomes.Published);
        return null;
    }

    private static JsonHttpResult<ImAnswer> Refused(SyncTelemetry telemetry, ILogger logger, string command, string problem)
    {
        telemetry.RecordOutcome(RelayDirection.ImToLegacy, "invalid", SyncTelemetry.Outcomes.Rejected, "malformed");
        ImCallbackLog.Invalid(logger, command, problem);
        return ImAnswers.Fail(StatusCodes.Status400BadRequest, problem);
    }

    // The body passed JsonInput.Check, so it parses and its strings read.
    private static string? CommandInBody(ReadOnlyMemory<byte> body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("CallbackCommand", out var c)
            ? JsonInput.TryGetString(c)
            : null;
    }
}
