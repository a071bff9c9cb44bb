using System.Text.Json;
using SyncGateway.Im;
using SyncGateway.Ledger;

namespace SyncGateway.Import;

/// <summary>What every phase may consult while it reads its file.</summary>
/// <param name="Options">Batch sizes and IM wire choices.</param>
/// <param name="Until">Cut-off (Unix seconds): message lines at or after it are left to the live sync.</param>
/// <param name="Groups">Creation times of the groups in <c>groups.jsonl</c>.</param>
/// <param name="Now">Current Unix time in seconds; IM refuses history from the future.</param>
/// <param name="References">The folder's accounts and groups, which lines must name (dry runs only); null: not checked.</param>
internal sealed record ImportContext(ImportOptions Options, long? Until, GroupIndex Groups, long Now, InputReferences? References = null);

/// <summary>A failed item inside a batch IM otherwise accepted, or every item of a batch IM refused.</summary>
internal sealed record ItemFailure(int Index, int? ErrorCode, string ErrorInfo);

/// <summary>A whole batch IM refused with an error that is not about the caller, and a way to look at IM's state.</summary>
/// <param name="Items">The batch's items.</param>
/// <param name="Error">IM's answer.</param>
/// <param name="Call">Calls IM (counted in the phase's calls); transient failures retry the whole batch.</param>
internal sealed record Refusal<TItem>(IReadOnlyList<TItem> Items, ImPermanentException Error, Func<ImApi, object, Task<JsonElement>> Call);

/// <summary>
/// How items become calls to one IM API. Items of one batch share <see cref="Key"/>; batches with the same key run
/// one after another in file order (IM's per-user and per-conversation ordering rules), others in parallel.
/// </summary>
internal sealed class BatchRoute<TItem>
{
    public required ImApi Api { get; init; }

    public required int MaxItems { get; init; }

    /// <summary>Null: items need no common key and batches need no order.</summary>
    public Func<TItem, string>? Key { get; init; }

    public required Func<IReadOnlyList<TItem>, object> Body { get; init; }

    /// <summary>Per-item failures in an OK answer (<c>FailAccounts</c>, <c>ResultItem</c>, <c>ImportMsgResult</c>, …).</summary>
    public Func<JsonElement, IReadOnlyList<TItem>, IEnumerable<ItemFailure>> Failures { get; init; } = (_, _) => [];

    /// <summary>
    /// Which items of a batch IM refused as a whole really failed; null: all of them. A route whose call is not
    /// idempotent uses it to recognise its own earlier success (a call that went through but whose answer was lost).
    /// </summary>
    public Func<Refusal<TItem>, Task<IEnumerable<ItemFailure>>>? Refused { get; init; }

    /// <summary>The message id ledger entries an OK answer gives (the IM ids of imported messages, where IM answers them).</summary>
    public Func<JsonElement, IReadOnlyList<TItem>, IEnumerable<LedgerEntry>> LedgerEntries { get; init; } = (_, _) => [];

    /// <summary>
    /// The echo parts of the IM callbacks a batch's write raises (as the live relay's declarations key them), each with
    /// the conversation its callback will belong to.
    /// </summary>
    public Func<IReadOnlyList<TItem>, IEnumerable<(string Conversation, string Part)>> ImEchoes { get; init; } = _ => [];
}

/// <summary>One planned IM call. <see cref="Number"/> follows from the file and the batching options alone, so a re-run plans the same batches.</summary>
internal sealed record Batch<TItem>(long Number, BatchRoute<TItem> Route, string? Key, IReadOnlyList<InputLine> Lines, IReadOnlyList<TItem> Items);

/// <summary>A phase of the import whose item type is not known to the caller.</summary>
internal interface IImportPhase
{
    /// <summary>The phase name used by <c>--only</c>; the input file is <c>{Name}.jsonl</c>.</summary>
    string Name { get; }

    /// <summary>Everything besides the file that decides how lines become batches; a resumed run must match it.</summary>
    string BatchingFingerprint { get; }

    Task<PhaseResult> RunAsync(PhaseRunner runner, PhaseRun run);
}

/// <summary>One kind of input: how a line is read and which IM calls it turns into.</summary>
internal abstract class ImportPhase<TItem>(ImportContext context) : IImportPhase
    where TItem : class
{
    protected ImportContext Context { get; } = context;

    protected ImportOptions Options => Context.Options;

    public abstract string Name { get; }

    /// <summary>The routes in a fixed order (the order open batches are flushed at the end of the file).</summary>
    public abstract IReadOnlyList<BatchRoute<TItem>> Routes { get; }

    /// <summary>Reads one line; null skips it on purpose (after the cut-off). Throws <see cref="ImportInputException"/>.</summary>
    public abstract TItem? Parse(JsonElement line);

    public virtual BatchRoute<TItem> RouteOf(TItem item) => Routes[0];

    public string BatchingFingerprint
        => string.Join(",", Routes.Select(route => $"{route.Api.Command}:{route.MaxItems}")) + (UsesCutoff ? $";until={Context.Until}" : "");

    /// <summary>Whether <c>--until</c> leaves lines of this phase out (and so changes its batches).</summary>
    protected virtual bool UsesCutoff => false;

    public Task<PhaseResult> RunAsync(PhaseRunner runner, PhaseRun run) => runner.RunAsync(this, run);

    protected bool IsAfterCutoff(long time) => Context.Until is { } until && time >= until;

    /// <summary>A user id that, in a dry run, <c>accounts.jsonl</c> must have.</summary>
    protected string RequiredAccount(JsonElement line, string name)
    {
        var userId = LineFields.RequiredUserId(line, name);
        Context.References?.CheckAccount(userId, name);
        return userId;
    }

    protected string? OptionalAccount(JsonElement line, string name)
    {
        var userId = LineFields.OptionalString(line, name);
        if (userId is not null)
        {
            Context.References?.CheckAccount(userId, name);
        }
        return userId;
    }

    /// <summary>A group id that, in a dry run, <c>groups.jsonl</c> must have.</summary>
    protected string RequiredGroup(JsonElement line, string name)
    {
        var groupId = LineFields.RequiredString(line, name);
        Context.References?.CheckGroup(groupId, name);
        return groupId;
    }

    protected long RequirePast(JsonElement line, string name)
        => OptionalPast(line, name) ?? throw new ImportInputException($"missing required field \"{name}\"");

    protected long? OptionalPast(JsonElement line, string name)
    {
        var time = LineFields.OptionalTime(line, name);
        return time is null || time <= Context.Now
            ? time
            : throw new ImportInputException($"field \"{name}\" ({time}) is in the future; IM imports history only");
    }
}

/// <summary>Turns items into batches in file order; deterministic for a given file and options.</summary>
internal sealed class Batcher<TItem>(ImportPhase<TItem> phase)
    where TItem : class
{
    private readonly Dictionary<BatchRoute<TItem>, OpenBatch> _open = [];
    private long _next;

    public IEnumerable<Batch<TItem>> Add(InputLine line, TItem item)
    {
        var route = phase.RouteOf(item);
        var key = route.Key?.Invoke(item);
        if (_open.TryGetValue(route, out var open) && open.Key != key)
        {
            _open.Remove(route);
            yield return Close(route, open);
            open = null;
        }
        if (open is null)
        {
            open = new OpenBatch(key);
            _open[route] = open;
        }
        open.Lines.Add(line);
        open.Items.Add(item);
        if (open.Items.Count >= route.MaxItems)
        {
            _open.Remove(route);
            yield return Close(route, open);
        }
    }

    public IEnumerable<Batch<TItem>> Flush()
    {
        foreach (var route in phase.Routes)
        {
            if (_open.Remove(route, out var open))
            {
                yield return Close(route, open);
            }
        }
    }

    private Batch<TItem> Close(BatchRoute<TItem> route, OpenBatch open)
        => new(_next++, route, open.Key, open.Lines, open.Items);

    private sealed class OpenBatch(string? key)
    {
        public string? Key { get; } = key;
        public List<InputLine> Lines { get; } = [];
        public List<TItem> Items { get; } = [];
    }
}
