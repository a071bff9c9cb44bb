namespace SyncGateway.Hosting;

/// <summary>
/// A failure that no retry can fix. Consumer retry policies ignore it, so the message faults to the endpoint's
/// <c>_error</c> queue at once with <see cref="Exception.Message"/> as the recorded reason.
/// </summary>
internal class PermanentFailureException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A failure expected to pass (outage, rate limit, busy). Consumers retry it with backoff.</summary>
internal class TransientFailureException(string message, Exception? inner = null) : Exception(message, inner);
