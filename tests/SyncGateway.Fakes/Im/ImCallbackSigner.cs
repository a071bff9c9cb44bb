using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SyncGateway.Fakes.Im;

/// <summary>
/// Builds the query string IM appends to a callback URL, including the
/// <c>Sign</c> = lowercase hex SHA-256 of <c>token + RequestTime</c> when a token is configured.
/// </summary>
public static class ImCallbackSigner
{
    /// <summary>Plain SHA-256 (not HMAC) of the token followed by the decimal RequestTime, as lowercase hex.</summary>
    public static string Sign(string token, long requestTime)
    {
        ArgumentNullException.ThrowIfNull(token);
        var input = Encoding.UTF8.GetBytes(token + requestTime.ToString(CultureInfo.InvariantCulture));
        return Convert.ToHexStringLower(SHA256.HashData(input));
    }

    /// <summary>
    /// <c>SdkAppid=…&amp;CallbackCommand=…&amp;contenttype=json&amp;ClientIP=…&amp;OptPlatform=…</c>, followed by
    /// <c>&amp;Sign=…&amp;RequestTime=…</c> when <paramref name="token"/> is set. No leading '?'.
    /// </summary>
    public static string BuildQuery(long sdkAppId, string callbackCommand, string optPlatform, string clientIp, string? token, long requestTime)
    {
        var query = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"SdkAppid={sdkAppId}")
            .Append("&CallbackCommand=").Append(Uri.EscapeDataString(callbackCommand))
            .Append("&contenttype=json")
            .Append("&ClientIP=").Append(Uri.EscapeDataString(clientIp))
            .Append("&OptPlatform=").Append(Uri.EscapeDataString(optPlatform));
        if (!string.IsNullOrEmpty(token))
        {
            query.Append("&Sign=").Append(Sign(token, requestTime))
                .Append(CultureInfo.InvariantCulture, $"&RequestTime={requestTime}");
        }
        return query.ToString();
    }

    /// <summary>The callback URL with IM's query string appended (keeping any query the URL already has).</summary>
    public static Uri BuildUri(Uri callbackUrl, long sdkAppId, string callbackCommand, string optPlatform, string clientIp, string? token, long requestTime)
    {
        ArgumentNullException.ThrowIfNull(callbackUrl);
        var query = BuildQuery(sdkAppId, callbackCommand, optPlatform, clientIp, token, requestTime);
        var builder = new UriBuilder(callbackUrl);
        builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&" + query : query;
        return builder.Uri;
    }
}
