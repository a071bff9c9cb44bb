using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Contracts;
using SyncGateway.Im;
using SyncGateway.Ledger;

namespace SyncGateway.Import.Phases;

internal sealed record GroupMessageLine(string Id, string GroupId, string From, long Time, IReadOnlyList<MessageElement> Body);

/// <summary>
/// <c>group-messages.jsonl</c>: messages batched per group through <c>import_group_msg</c>, ascending per group and
/// one call at a time per group. <c>Random</c> comes from the legacy id. A send time
/// at or before the group's creation is sent as one second after it; voice, image, file and video elements travel in
/// the message's one custom element, which carries the originals (<see cref="MessageBodies.ToImGroupImport"/>).
/// </summary>
internal sealed class GroupMessagesPhase : ImportPhase<GroupMessageLine>
{
    // The newest time seen per group: IM appends group history strictly in time order.
    private readonly Dictionary<string, long> _newest = new(StringComparer.Ordinal);

    public GroupMessagesPhase(ImportContext context)
        : base(context)
        => Routes =
        [
            new BatchRoute<GroupMessageLine>
            {
                Api = ImApi.ImportGroupMsg,
                MaxItems = Options.GroupMessageBatchSize,
                Key = item => item.GroupId,
                Body = Request,
                Failures = FailedMessages,
                LedgerEntries = ImportedMessages,
            },
        ];

    protected override bool UsesCutoff => true;

    public override string Name => ImportPhases.GroupMessages;

    public override IReadOnlyList<BatchRoute<GroupMessageLine>> Routes { get; }

    public override GroupMessageLine? Parse(JsonElement line)
    {
        var id = LineFields.RequiredString(line, "id");
        var groupId = RequiredGroup(line, "groupId");
        var from = RequiredAccount(line, "from");
        var time = RequirePast(line, "time");
        var body = MessageBodies.Parse(line);

        if (_newest.TryGetValue(groupId, out var newest) && time < newest)
        {
            throw new ImportInputException($"time {time} is before an earlier line of group {groupId} ({newest}); sort the file by group, then time");
        }
        _newest[groupId] = time;
        if (IsAfterCutoff(time))
        {
            return null;
        }
        if (Context.Groups.Find(groupId) is { } group && time < group.NotBefore)
        {
            time = group.NotBefore;
        }
        return new GroupMessageLine(id, groupId, from, time, body);
    }

    private ImportGroupMsgRequest Request(IReadOnlyList<GroupMessageLine> items)
    {
        var groupId = items[0].GroupId;
        var community = Context.Groups.Find(groupId)?.Type == "Community";
        return new ImportGroupMsgRequest(
            groupId,
            Options.RecentContactFlag && !community ? 1 : null,
            items.Select(item => new ImportedGroupMessage(
                    item.From,
                    item.Time,
                    ImIds.RandomFor(item.Id),
                    MessageBodies.ToImGroupImport(item.Body)))
                .ToList());
    }

    // ImportMsgResult[] answers the MsgList in order: Result 0 ok, 10004 bad send time, 80002 too long.
    private static IEnumerable<ItemFailure> FailedMessages(JsonElement response, IReadOnlyList<GroupMessageLine> items)
    {
        if (!response.TryGetProperty("ImportMsgResult", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        var index = 0;
        foreach (var result in results.EnumerateArray())
        {
            if (index < items.Count && result.TryGetProperty("Result", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() != 0)
            {
                yield return new ItemFailure(index, code.GetInt32(), $"ImportMsgResult Result {code.GetInt32()}");
            }
            index++;
        }
    }

    // ImportMsgResult[i].MsgSeq is the group sequence IM gave the i-th message: the ledger can name it.
    private static IEnumerable<LedgerEntry> ImportedMessages(JsonElement response, IReadOnlyList<GroupMessageLine> items)
    {
        if (!response.TryGetProperty("ImportMsgResult", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        var index = 0;
        foreach (var result in results.EnumerateArray())
        {
            if (index < items.Count
                && result.TryGetProperty("Result", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() == 0
                && result.TryGetProperty("MsgSeq", out var seq) && seq.ValueKind == JsonValueKind.Number && seq.GetInt64() > 0)
            {
                var item = items[index];
                var time = result.TryGetProperty("MsgTime", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt64() : item.Time;
                yield return new LedgerEntry(item.Id, MessageOrigin.Legacy, item.From, GroupId: item.GroupId, MsgSeq: seq.GetInt64(), MsgTime: time);
            }
            index++;
        }
    }

    private sealed record ImportGroupMsgRequest(
        [property: JsonPropertyName("GroupId")] string GroupId,
        [property: JsonPropertyName("RecentContactFlag"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RecentContactFlag,
        [property: JsonPropertyName("MsgList")] IReadOnlyList<ImportedGroupMessage> MsgList);

    private sealed record ImportedGroupMessage(
        [property: JsonPropertyName("From_Account")] string FromAccount,
        [property: JsonPropertyName("SendTime")] long SendTime,
        [property: JsonPropertyName("Random")] uint Random,
        [property: JsonPropertyName("MsgBody")] IReadOnlyList<ImMsgElement> MsgBody);
}
