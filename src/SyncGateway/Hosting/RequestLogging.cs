using System.Diagnostics;

namespace SyncGateway.Hosting;

internal static class RequestLogging
{
    /// <summary>
    /// One log line per HTTP request (method, path, status, elapsed time) and a named, tagged server span.
    /// Call it first in the pipeline so it sees the final status.
    /// </summary>
    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
        => app.UseMiddleware<RequestLoggingMiddleware>();
}

/// <summary>
/// Logs the path only, never the query string: IM puts its <c>Sign</c> there. Health probes log at Debug and are left
/// out of traces, so neither stdout nor the trace view fills up with them. Without the ASP.NET Core instrumentation
/// package the server span has no name or HTTP attributes; this adds the semantic-convention ones.
/// </summary>
internal sealed partial class RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var probe = context.Request.Path.StartsWithSegments(HealthEndpoints.BasePath, StringComparison.OrdinalIgnoreCase);
        var activity = Activity.Current;
        if (probe && activity is not null)
        {
            activity.IsAllDataRequested = false;
            activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }

        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(context);
            status = context.Response.StatusCode;
        }
        finally
        {
            var path = context.Request.PathBase.Add(context.Request.Path).Value ?? "/";
            if (activity is { IsAllDataRequested: true })
            {
                TagServerSpan(activity, context, path, status);
            }
            var level = probe ? LogLevel.Debug : status >= 500 ? LogLevel.Warning : LogLevel.Information;
            if (logger.IsEnabled(level))
            {
                var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                LogRequest(logger, level, context.Request.Method, path, status, elapsedMs);
            }
        }
    }

    private static void TagServerSpan(Activity activity, HttpContext context, string path, int status)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        activity.DisplayName = route is null ? context.Request.Method : $"{context.Request.Method} {route}";
        activity.SetTag("http.request.method", context.Request.Method);
        activity.SetTag("url.scheme", context.Request.Scheme);
        activity.SetTag("url.path", path);
        activity.SetTag("http.route", route);
        activity.SetTag("http.response.status_code", status);
        if (status >= 500)
        {
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    [LoggerMessage(EventId = 1, EventName = "HttpRequest", Message = "HTTP {Method} {Path} responded {StatusCode} in {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, LogLevel level, string method, string path, int statusCode, double elapsedMs);
}
