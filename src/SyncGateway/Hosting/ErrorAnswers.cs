namespace SyncGateway.Hosting;

internal static class ErrorAnswers
{
    /// <summary>RFC 7807 problem details for every error answer the gateway writes itself.</summary>
    public static IHostApplicationBuilder AddErrorAnswers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>
    /// An exception no endpoint expected becomes a 500 with problem details carrying the request's trace id, logged
    /// once with that id; the body is never logged.
    /// </summary>
    public static IApplicationBuilder UseErrorAnswers(this IApplicationBuilder app) => app.UseExceptionHandler();
}
