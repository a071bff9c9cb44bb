namespace SyncGateway.Import;

internal static partial class ImportLog
{
    [LoggerMessage(1, LogLevel.Warning, "Invalid input {Position}: {Problem}")]
    public static partial void InvalidLine(ILogger logger, string position, string problem);

    [LoggerMessage(2, LogLevel.Warning, "Phase {Phase} batch {Batch}: {Api} attempt {Attempt} failed transiently ({Error}); retrying in {Delay}")]
    public static partial void RetryingBatch(ILogger logger, string phase, long batch, string api, int attempt, TimeSpan delay, string error);

    [LoggerMessage(3, LogLevel.Error, "Phase {Phase} batch {Batch} failed unexpectedly")]
    public static partial void BatchCrashed(ILogger logger, Exception exception, string phase, long batch);

    [LoggerMessage(4, LogLevel.Information, "Phase {Phase} {Status}: {Items} items, {Calls} calls, {Rejects} rejects in {Elapsed}")]
    public static partial void PhaseEnded(ILogger logger, string phase, PhaseStatus status, long items, long calls, long rejects, TimeSpan elapsed);

    [LoggerMessage(5, LogLevel.Error, "Phase {Phase} stopped the import: {Reason}")]
    public static partial void PhaseFailed(ILogger logger, string phase, string reason);

    [LoggerMessage(6, LogLevel.Warning, "Phase {Phase} batch {Batch}: imported, but its message ids could not be recorded in the ledger ({Error})")]
    public static partial void LedgerNotRecorded(ILogger logger, string phase, long batch, string error);

    [LoggerMessage(7, LogLevel.Warning, "Phase {Phase} batch {Batch}: the IM callbacks it raises could not be tagged, so the gateway will relay them to legacy ({Error})")]
    public static partial void EchoesNotTagged(ILogger logger, string phase, long batch, string error);
}
