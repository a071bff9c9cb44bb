namespace SyncGateway.Messaging;

/// <summary>
/// A store write that follows a delivery the other side already has (the "delivered" marker, the message id ledger).
/// Failing the event now would deliver it again, so the write gets a few quick tries and then the caller logs and
/// goes on without it.
/// </summary>
internal static class AfterDelivery
{
    public const int Attempts = 3;

    /// <summary>Null when <paramref name="write"/> succeeded; else the last failure, after <see cref="Attempts"/> tries.</summary>
    public static async Task<Exception?> TryWriteAsync(Func<Task> write, TimeProvider time, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write();
                return null;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                if (attempt == Attempts)
                {
                    return ex;
                }
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), time, cancellationToken);
        }
    }
}
