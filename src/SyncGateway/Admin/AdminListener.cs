namespace SyncGateway.Admin;

/// <summary>
/// Keeps the admin API on its own port: admin paths answer 404 on every other port, and the admin port serves admin
/// paths only. The port is the local one the connection came in on (a Host header cannot move a request across). Every
/// request on it needs a configured bearer token (401 otherwise); the token's name is the request's for audit lines.
/// </summary>
internal sealed partial class AdminListener(RequestDelegate next, AdminTokens tokens, int adminPort, ILogger<AdminListener> logger)
{
    private const string TokenNameItem = "syncgw.admin-token";

    /// <summary>The name of the token the request came with: who the audit lines say called.</summary>
    public static string Caller(HttpContext context) => context.Items[TokenNameItem] as string ?? "";

    public async Task InvokeAsync(HttpContext context)
    {
        var onAdminPort = context.Connection.LocalPort == adminPort;
        if (onAdminPort != context.Request.Path.StartsWithSegments(AdminEndpoints.BasePath, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (!onAdminPort)
        {
            await next(context);
            return;
        }
        if (tokens.Match(context.Request.Headers.Authorization) is not { } name)
        {
            var remote = context.Connection.RemoteIpAddress?.ToString() ?? "";
            LogRefused(logger, context.Request.Method, context.Request.Path.Value ?? "", remote);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "An admin bearer token is required").ExecuteAsync(context);
            return;
        }
        context.Items[TokenNameItem] = name;
        var path = context.Request.Path.Value ?? "";
        await next(context);
        LogAnswered(logger, context.Request.Method, path, name, context.Response.StatusCode);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admin {Method} {Path} from {RemoteAddress} refused: no valid bearer token")]
    private static partial void LogRefused(ILogger logger, string method, string path, string remoteAddress);

    // "Caller", not "TokenName": the log redactor masks every property whose name says token.
    [LoggerMessage(Level = LogLevel.Information, Message = "Admin {Method} {Path} by {Caller}: {StatusCode}")]
    private static partial void LogAnswered(ILogger logger, string method, string path, string caller, int statusCode);
}
