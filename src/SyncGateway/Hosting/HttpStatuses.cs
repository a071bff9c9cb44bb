using System.Net;

namespace SyncGateway.Hosting;

/// <summary>The one rule for which HTTP answers are worth repeating, for every client the gateway has.</summary>
internal static class HttpStatuses
{
    /// <summary>5xx, 408 and 429: the server or a proxy in front of it is struggling; any other status will not change.</summary>
    public static bool IsTransient(HttpStatusCode status)
        => (int)status is >= 500 and <= 599 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
}
