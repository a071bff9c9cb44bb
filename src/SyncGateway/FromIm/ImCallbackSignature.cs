using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SyncGateway.Im;

namespace SyncGateway.FromIm;

/// <summary>
/// IM callback authentication: the query's <c>SdkAppid</c> must be ours, and with a
/// token configured <c>Sign = hex(SHA-256(token + RequestTime))</c> with <c>RequestTime</c> (Unix seconds) inside the
/// skew window. Compared in constant time.
/// </summary>
internal static class ImCallbackSignature
{
    public static string? Verify(IQueryCollection query, ImOptions options, DateTimeOffset now)
    {
        if (!long.TryParse(query["SdkAppid"], NumberStyles.None, CultureInfo.InvariantCulture, out var appId) || appId != options.SdkAppId)
        {
            return "SdkAppid is missing or not this gateway's application";
        }
        if (string.IsNullOrEmpty(options.CallbackToken))
        {
            return null;
        }
        string? requestTime = query["RequestTime"];
        string? sign = query["Sign"];
        if (string.IsNullOrEmpty(requestTime) || string.IsNullOrEmpty(sign))
        {
            return "Sign and RequestTime are required";
        }
        if (!long.TryParse(requestTime, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return "RequestTime is not a Unix time in seconds";
        }
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > options.CallbackMaxSkewSeconds)
        {
            return "RequestTime is outside the allowed clock skew";
        }
        var expected = Encoding.ASCII.GetBytes(Compute(options.CallbackToken, requestTime));
        var actual = Encoding.ASCII.GetBytes(sign.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? null : "Sign does not match";
    }

    public static string Compute(string token, string requestTime)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token + requestTime)));

    /// <summary>Refuses (401, nothing published) any callback that fails <see cref="Verify"/>.</summary>
    public static RouteHandlerBuilder RequireImCallbackSignature(this RouteHandlerBuilder builder)
        => builder.AddEndpointFilter(async (context, next) =>
        {
            var services = context.HttpContext.RequestServices;
            var options = services.GetRequiredService<IOptions<ImOptions>>().Value;
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            var problem = Verify(context.HttpContext.Request.Query, options, now);
            if (problem is null)
            {
                return await next(context);
            }
            ImCallbackLog.Refused(services.GetRequiredService<ILogger<ImCallbackEndpointLog>>(), problem);
            return ImAnswers.Fail(StatusCodes.Status401Unauthorized, problem);
        });
}
