using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Events;

namespace SyncGateway.ToIm;

/// <summary>
/// The legacy → IM work on one delta: drop it if it was sent before the import cut-off or is the echo of our own
/// relay to legacy (<c>syncorigin</c> or content fingerprint), tag the IM echoes the write will cause, make the IM
/// calls and read their per-item results. Every step is idempotent: the tags are written once per event, the message
/// ids are derived from the event, and member adds and removals repeat as no-ops, so a retry or redelivery at any
/// point neither loses nor doubles the delta; the steps around it are <see cref="RelaySteps"/>'.
/// </summary>
internal sealed partial class ImWriter(
    OriginTags tags,
    IImRestClient client,
    IOptions<SyncOptions> syncOptions,
    IOptions<ImOptions> imOptions,
    IOptions<ToImOptions> options,
    ILogger<ImWriter> logger)
{
    public async Task<RelayResult> ApplyAsync<TData>(IEventDeclaration<TData> declaration, ISyncEvent<TData> evt, CancellationToken cancellationToken)
        where TData : class
    {
        var meta = evt.Meta;
        if (syncOptions.Value.ImportCutoffTime is { } cutoff && declaration.SentAt(meta, evt.Data) < cutoff)
        {
            return new RelayResult.Skipped(SyncTelemetry.Outcomes.Duplicate, "sent before the import cut-off, so imported");
        }

        var (data, echo) = await WithoutEchoesAsync(declaration, meta, evt.Data);
        if (data is null)
        {
            return new RelayResult.Echo(echo!);
        }

        var plan = declaration.ToIm(meta, data, new ImWriteSettings(imOptions.Value.ForbidCallbacksOnSend, options.Value));
        if (plan.Calls.Count == 0)
        {
            return new RelayResult.Skipped(SyncTelemetry.Outcomes.Ignored, "no changed field or member");
        }

        // Before the call: IM may deliver the echo callback before it answers the call.
        await tags.ExpectImEchoesAsync(meta.Id, plan.ExpectedEchoes);
        await CallAsync(meta, plan, cancellationToken);
        return new RelayResult.Delivered(echo);
    }

    /// <summary>
    /// The delta without the parts that echo our relays, and why parts were dropped. A delta that names the relayed
    /// event in <c>syncorigin</c> is an echo as a whole, even when its tag has expired: the legacy system says so
    /// itself.
    /// </summary>
    private async Task<(TData? Data, string? Echo)> WithoutEchoesAsync<TData>(IEventDeclaration<TData> declaration, EventMeta meta, TData data)
        where TData : class
    {
        var fingerprints = declaration.LegacyEchoParts(data);
        if (meta.SyncOrigin is { } origin)
        {
            return (null, await tags.TakeLegacyOriginAsync(meta.Id, origin, fingerprints) ? "syncorigin" : "syncorigin-untagged");
        }
        var suppressed = await tags.TakeLegacyEchoesAsync(meta.Id, fingerprints);
        var rest = declaration.Without(data, suppressed);
        return rest is null ? (null, "fingerprint")
            : ReferenceEquals(rest, data) ? (data, null)
            : (rest, "partly-echo");
    }

    private async Task CallAsync(EventMeta meta, ImWritePlan plan, CancellationToken cancellationToken)
    {
        var failed = new List<string>();
        foreach (var call in plan.Calls)
        {
            JsonElement answer;
            try
            {
                answer = await client.CallAsync(call.Api, call.Body, cancellationToken);
            }
            catch (ImPermanentException ex) when (call.Api == ImApi.DestroyGroup && ImErrorClassification.Classify(ex.ErrorCode).GroupMissing)
            {
                // The desired state: a retry after an unseen success, or a group dismissed on the IM side as well.
                LogAlreadyGone(logger, meta.Type, meta.Id, call.GroupId);
                continue;
            }
            Read(meta, call, answer, failed);
        }
        if (failed.Count > 0)
        {
            throw new PermanentFailureException(
                $"IM {ImApi.AddGroupMember} did not add {failed.Count} member(s) to group {plan.Calls[0].GroupId}: {string.Join(", ", failed)}");
        }
    }

    /// <summary>Per-item results inside an OK answer (IM answers a batch OK and reports each item's result in it).</summary>
    private void Read(EventMeta meta, ImCall call, JsonElement answer, List<string> failed)
    {
        if (answer.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        if (call.Api == ImApi.SendGroupMsg
            && answer.TryGetProperty("MsgDropReason", out var drop) && drop.ValueKind == JsonValueKind.String
            && drop.GetString() is { Length: > 0 } reason)
        {
            // IM discarded the message (frequency control); the retry sends the same Random.
            throw new ImTransientException(call.Api, ImErrorClassification.MessageDropped, "message dropped: " + reason);
        }
        if (call.Api == ImApi.SendMsg && answer.TryGetProperty("MsgKey", out var key) && key.ValueKind == JsonValueKind.String)
        {
            Activity.Current?.SetTag("im.msg_key", key.GetString());
        }
        if (call.Api == ImApi.SendGroupMsg && answer.TryGetProperty("MsgSeq", out var seq) && seq.ValueKind == JsonValueKind.Number)
        {
            Activity.Current?.SetTag("im.msg_seq", seq.GetInt64());
        }
        if (call.Api == ImApi.AddGroupMember && answer.TryGetProperty("MemberList", out var members) && members.ValueKind == JsonValueKind.Array)
        {
            foreach (var member in members.EnumerateArray())
            {
                var account = member.TryGetProperty("Member_Account", out var a) ? a.GetString() : null;
                var result = member.TryGetProperty("Result", out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt32() : 0;
                switch (result)
                {
                    case 1 or 2: // added, already a member
                        break;
                    case 3:
                        LogAwaitingApproval(logger, meta.Type, meta.Id, call.GroupId, account);
                        break;
                    default:
                        failed.Add($"{account} (Result {result})");
                        break;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId}: group {GroupId} is already gone in IM")]
    private static partial void LogAlreadyGone(ILogger logger, string eventType, string cloudEventId, string? groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{EventType} {CloudEventId}: {Member} joins group {GroupId} once approved in IM")]
    private static partial void LogAwaitingApproval(ILogger logger, string eventType, string cloudEventId, string? groupId, string? member);
}

/// <summary>Applies one legacy event type to IM; registered for each declared type.</summary>
internal sealed class ApplyToIm<TEvent, TData>(RelaySteps steps, ImWriter writer, IEventDeclaration<TData> declaration) : IConsumer<TEvent>
    where TEvent : class, ISyncEvent<TData>
    where TData : class
{
    public Task Consume(ConsumeContext<TEvent> context)
        => steps.RunAsync(RelayDirection.LegacyToIm, context, context.Message, cancellationToken => writer.ApplyAsync(declaration, context.Message, cancellationToken));
}
