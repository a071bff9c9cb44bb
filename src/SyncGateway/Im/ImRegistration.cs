using Microsoft.Extensions.DependencyInjection.Extensions;
using SyncGateway.Hosting;

namespace SyncGateway.Im;

internal static class ImRegistration
{
    /// <summary>
    /// The IM REST client (<see cref="IImRestClient"/>) with its admin UserSig, per-API rate limiter and retry policy,
    /// and the validated <see cref="ImOptions"/>.
    /// </summary>
    public static IHostApplicationBuilder AddImRestClient(this IHostApplicationBuilder builder)
    {
        builder.AddImOptions();
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSyncTelemetry();
        services.TryAddSingleton<IAdminUserSigProvider, AdminUserSigProvider>();
        services.TryAddSingleton<ApiRateLimiter>();
        services.TryAddSingleton(ImRetryPolicy.Default);
        // Each attempt has its own timeout (Im:RestTimeoutSeconds) inside the client.
        services.AddHttpClient<IImRestClient, ImRestClient>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            // The default handler loggers write request URLs, and ours carry the admin UserSig.
            .RemoveAllLoggers();
        return builder;
    }

    /// <summary>Binds and validates section <c>Im</c>: the one registration of it, whichever features need it.</summary>
    public static IHostApplicationBuilder AddImOptions(this IHostApplicationBuilder builder)
        => builder.AddValidatedOptions<ImOptions>(ImOptions.SectionName, Validate);

    internal static IEnumerable<string> Validate(ImOptions options)
    {
        if (options.SdkAppId <= 0)
        {
            yield return "Im:SdkAppId must be set (the application's SDKAppID, a positive number).";
        }
        if (options.ApiBaseUrl is not { IsAbsoluteUri: true } url
            || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
            || url.AbsolutePath != "/" || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            yield return "Im:ApiBaseUrl must be scheme and host only, e.g. https://adminapisgp.im.qcloud.com.";
        }
        if (string.IsNullOrWhiteSpace(options.AdminIdentifier))
        {
            yield return "Im:AdminIdentifier must be set (an App admin account).";
        }
        if (options.RestCallsPerSecond < 0)
        {
            yield return "Im:RestCallsPerSecond must be 0 (each API's documented limit) or positive.";
        }
        if (options.RestTimeoutSeconds <= 3)
        {
            yield return "Im:RestTimeoutSeconds must be greater than 3 (IM itself takes up to 3 s per request).";
        }
        if (options.CallbackMaxSkewSeconds is < 1 or > 3600)
        {
            yield return "Im:CallbackMaxSkewSeconds must be between 1 and 3600";
        }
        if (options.CallbackMaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            yield return "Im:CallbackMaxBodyBytes must be between 1024 and 16777216";
        }
    }
}
