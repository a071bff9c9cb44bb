using System.Text.Json;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Ledger;

namespace SyncGateway.Import;

/// <summary>One phase's input and the run it belongs to.</summary>
/// <param name="Path">The phase's input file.</param>
/// <param name="Progress">The phase's live counters.</param>
/// <param name="Checkpoint">Where the phase stands; null in dry runs.</param>
/// <param name="Stop">Graceful stop: no new batch starts; batches in flight finish and are checkpointed.</param>
/// <param name="Abort">Hard stop: calls in flight are abandoned too (IM's dedup keys cover a resend).</param>
internal sealed record PhaseRun(string Path, PhaseProgress Progress, PhaseCheckpoint? Checkpoint, CancellationToken Stop, CancellationToken Abort)
{
    public bool DryRun => Checkpoint is null;
}

internal sealed record PhaseResult(PhaseStatus Status, string? Reason = null);

/// <summary>The run cannot go on (IM refuses the caller, or stays unavailable); its state is kept for a resume.</summary>
internal sealed class ImportFatalException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Runs one phase: streams its file, plans batches, and sends up to <see cref="ImportOptions.Parallelism"/> of them
/// at once; batches with the same key go one after another in file order (<see cref="KeyedScheduler"/>), and the
/// scheduler's bounded queue keeps memory flat. Each finished batch is written to the rejects file (its failed items)
/// and then checkpointed.
/// </summary>
internal sealed class PhaseRunner(
    IImRestClient? client,
    ImportState state,
    RejectsWriter rejects,
    ImportOptions options,
    ILogger logger,
    LiveSync? live = null)
{
    public async Task<PhaseResult> RunAsync<TItem>(ImportPhase<TItem> phase, PhaseRun run)
        where TItem : class
    {
        var batcher = new Batcher<TItem>(phase);
        if (run.DryRun)
        {
            await foreach (var (line, item) in ParseAsync(phase, run, run.Stop))
            {
                foreach (var batch in batcher.Add(line, item))
                {
                    Plan(batch, run.Progress);
                }
            }
            foreach (var batch in batcher.Flush())
            {
                Plan(batch, run.Progress);
            }
            return new PhaseResult(run.Stop.IsCancellationRequested ? PhaseStatus.Stopped : PhaseStatus.Completed);
        }

        using var halt = CancellationTokenSource.CreateLinkedTokenSource(run.Stop);
        using var scheduler = new KeyedScheduler(options.Parallelism);
        var fatal = new FatalSlot();
        try
        {
            await foreach (var (line, item) in ParseAsync(phase, run, halt.Token))
            {
                foreach (var batch in batcher.Add(line, item))
                {
                    await DispatchAsync(batch);
                }
            }
            foreach (var batch in batcher.Flush())
            {
                await DispatchAsync(batch);
            }
        }
        catch (OperationCanceledException) when (halt.IsCancellationRequested)
        {
        }
        await scheduler.DrainAsync();

        if (fatal.Reason is { } reason)
        {
            return new PhaseResult(PhaseStatus.Failed, reason);
        }
        if (halt.IsCancellationRequested)
        {
            return new PhaseResult(PhaseStatus.Stopped, "stopped on request");
        }
        await state.CompletePhaseAsync(run.Checkpoint!);
        return new PhaseResult(PhaseStatus.Completed);

        async Task DispatchAsync(Batch<TItem> batch)
        {
            run.Progress.AddBatch();
            if (state.IsDone(run.Checkpoint!, batch.Number))
            {
                run.Progress.AddResumed(batch.Items.Count);
                return;
            }
            await scheduler.EnqueueAsync(batch.Key, () => RunBatchAsync(batch, run, halt, fatal), halt.Token);
        }
    }

    private static void Plan<TItem>(Batch<TItem> batch, PhaseProgress progress)
    {
        progress.AddBatch();
        progress.AddCall();
        progress.AddItems(batch.Items.Count);
    }

    private async IAsyncEnumerable<(InputLine Line, TItem Item)> ParseAsync<TItem>(ImportPhase<TItem> phase, PhaseRun run, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        where TItem : class
    {
        await foreach (var line in JsonlReader.ReadAsync(run.Path, cancellationToken, run.Progress.SetBytesRead))
        {
            run.Progress.AddLine();
            TItem? item;
            string? problem = null;
            try
            {
                using var document = JsonDocument.Parse(line.Text);
                item = phase.Parse(LineFields.RequireObject(document.RootElement));
            }
            catch (JsonException e)
            {
                item = null;
                problem = "invalid JSON: " + e.Message.Split(" LineNumber:")[0];
            }
            catch (ImportInputException e)
            {
                item = null;
                problem = e.Message;
            }
            if (problem is not null)
            {
                await RejectInputAsync(line, problem, run);
                continue;
            }
            if (item is null)
            {
                run.Progress.AddCutOff();
                continue;
            }
            yield return (line, item);
        }
    }

    private async Task RejectInputAsync(InputLine line, string problem, PhaseRun run)
    {
        run.Progress.AddInvalid($"{line.Position}: {problem}");
        if (run.DryRun || state.IsInputRejectRecorded(run.Checkpoint!, line.Number))
        {
            return;
        }
        ImportLog.InvalidLine(logger, line.Position, problem);
        await rejects.WriteAsync([RejectRecord.For(line, null, null, problem)]);
        run.Progress.AddRejects(1);
        await state.RecordInputRejectAsync(run.Checkpoint!, line.Number);
    }

    // Never throws: a batch that cannot finish records why and halts the phase.
    private async Task RunBatchAsync<TItem>(Batch<TItem> batch, PhaseRun run, CancellationTokenSource halt, FatalSlot fatal)
    {
        if (halt.IsCancellationRequested)
        {
            return;
        }
        try
        {
            await ExecuteAsync(batch, run, halt.Token);
        }
        catch (OperationCanceledException) when (halt.IsCancellationRequested || run.Abort.IsCancellationRequested)
        {
        }
        catch (ImportFatalException e)
        {
            fatal.Set(e.Message);
            await halt.CancelAsync();
        }
        catch (Exception e)
        {
            ImportLog.BatchCrashed(logger, e, run.Progress.Name, batch.Number);
            fatal.Set($"batch {batch.Number} of {run.Progress.Name} failed: {e.Message}");
            await halt.CancelAsync();
        }
    }

    private async Task ExecuteAsync<TItem>(Batch<TItem> batch, PhaseRun run, CancellationToken halt)
    {
        var route = batch.Route;
        var body = route.Body(batch.Items);
        // Before the call: IM may deliver the callback before it answers.
        await ExpectEchoesAsync(route.ImEchoes(batch.Items), run, batch.Number);
        List<ItemFailure> failures;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                failures = await CallAsync();
                break;
            }
            // Every further item would fail the same way, so the run stops instead of rejecting the whole input.
            catch (ImPermanentException e) when (ImErrorClassification.Classify(e.ErrorCode).CallerRefused)
            {
                throw new ImportFatalException($"IM {e.Api} refused the caller: ErrorCode {e.ErrorCode}: {e.ErrorInfo}; check the Im settings", e);
            }
            catch (ImPermanentException e)
            {
                failures = batch.Items.Select((_, index) => new ItemFailure(index, e.ErrorCode, e.ErrorInfo)).ToList();
                break;
            }
            catch (Exception e) when (IsTransient(e) && !run.Abort.IsCancellationRequested)
            {
                if (attempt >= options.MaxAttempts)
                {
                    throw new ImportFatalException(
                        $"IM {route.Api} stayed unavailable after {attempt} attempts ({e.Message}); run again with the same --state to continue", e);
                }
                var delay = Backoff(attempt);
                ImportLog.RetryingBatch(logger, run.Progress.Name, batch.Number, route.Api.ToString(), attempt, delay, e.Message);
                await Task.Delay(delay, halt);
            }
        }

        await rejects.WriteAsync(failures
            .Select(failure => RejectRecord.For(batch.Lines[failure.Index], route.Api.ToString(), failure.ErrorCode, failure.ErrorInfo))
            .ToList());
        await state.CompleteBatchAsync(run.Checkpoint!, batch.Number);
        run.Progress.AddItems(batch.Items.Count - failures.Count);
        run.Progress.AddRejects(failures.Count);

        async Task<List<ItemFailure>> CallAsync()
        {
            try
            {
                var response = await Call(route.Api, body);
                await RecordAsync(route.LedgerEntries(response, batch.Items), run, batch.Number);
                return route.Failures(response, batch.Items).ToList();
            }
            catch (ImPermanentException e) when (route.Refused is { } refused && !ImErrorClassification.Classify(e.ErrorCode).CallerRefused)
            {
                return (await refused(new Refusal<TItem>(batch.Items, e, Call))).ToList();
            }
        }

        Task<JsonElement> Call(ImApi api, object request)
        {
            run.Progress.AddCall();
            return client!.CallAsync(api, request, run.Abort);
        }
    }

    /// <summary>
    /// Records imported messages' ids in the ledger. A store that fails does not fail the batch: IM has the messages,
    /// and importing them again would risk duplicates; the loss is logged.
    /// </summary>
    private async Task RecordAsync(IEnumerable<LedgerEntry> entries, PhaseRun run, long batchNumber)
    {
        if (live is null)
        {
            return;
        }
        try
        {
            foreach (var entry in entries)
            {
                await live.Ledger.RecordAsync(entry);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ImportLog.LedgerNotRecorded(logger, run.Progress.Name, batchNumber, e.Message);
        }
    }

    /// <summary>
    /// Tags the IM callbacks a batch's write will raise (profiles, read marks), so the live gateway does not relay the
    /// imported history back to legacy. A tag is keyed by phase and batch number, the same on a resumed run, so it is
    /// written once; one write per conversation, as the live relay keys its tags. A store that fails does not fail the
    /// batch: legacy then receives its own data once more.
    /// </summary>
    private async Task ExpectEchoesAsync(IEnumerable<(string Conversation, string Part)> parts, PhaseRun run, long batchNumber)
    {
        if (live is null)
        {
            return;
        }
        try
        {
            var writeId = $"import:{run.Progress.Name}:{batchNumber}";
            await Task.WhenAll(parts.GroupBy(p => p.Conversation, StringComparer.Ordinal)
                .Select(conversation => live.Tags.ExpectImEchoesAsync(writeId, conversation.Key, [.. conversation.Select(p => p.Part)])));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            ImportLog.EchoesNotTagged(logger, run.Progress.Name, batchNumber, e.Message);
        }
    }

    private static bool IsTransient(Exception e)
        => e is TransientFailureException or HttpRequestException or TimeoutException or OperationCanceledException;

    private TimeSpan Backoff(int attempt)
    {
        var delay = options.RetryDelay * Math.Pow(2, Math.Min(attempt - 1, 16));
        return delay < options.MaxRetryDelay ? delay : options.MaxRetryDelay;
    }

    private sealed class FatalSlot
    {
        private string? _reason;

        public string? Reason => Volatile.Read(ref _reason);

        public void Set(string reason) => Interlocked.CompareExchange(ref _reason, reason, null);
    }
}
