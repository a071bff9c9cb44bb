using System.Text.Json;

namespace SyncGateway.Im;

/// <summary>
/// Calls one IM REST API. Waits for the per-API rate limiter, signs the call (admin UserSig, random),
/// retries transient answers a few times with backoff, and classifies the final answer:
/// returns the response root on <c>ErrorCode == 0</c>; throws <see cref="ImTransientException"/> when IM stayed
/// busy/rate-limited/unreachable, <see cref="ImPermanentException"/> for errors a retry cannot fix.
/// Per-item results inside an OK answer are the caller's to inspect.
/// </summary>
internal interface IImRestClient
{
    Task<JsonElement> CallAsync(ImApi api, object body, CancellationToken cancellationToken);
}
