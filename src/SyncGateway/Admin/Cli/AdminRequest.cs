namespace SyncGateway.Admin.Cli;

/// <summary>How an answer is shown when it is not printed as JSON.</summary>
internal enum AdminView
{
    Status,
    Event,
    Events,
    Direction,
    Faults,
    Fault,
    FaultAction,
    FaultReplay,
}

/// <summary>One admin API call: method, path and query relative to the API's URL, the audit reason sent as the body (<c>{"reason": …}</c>, none when null), and how to show the answer.</summary>
internal sealed record AdminRequest(HttpMethod Method, string Path, string? Reason, AdminView View);

/// <summary>A valid admin command line: where the admin API is, JSON or tables, and the call to make.</summary>
internal sealed record AdminInvocation(Uri Url, bool Json, AdminRequest Request);
