using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SyncGateway.Im;

/// <summary>The members of a decoded TLSSigAPIv2 UserSig.</summary>
internal sealed record UserSigContent(string Version, string Identifier, long SdkAppId, long Expire, long Time, string Signature)
{
    /// <summary>Unix seconds after which IM rejects the sig (official verifier: expired when now &gt; time + expire).</summary>
    public long ExpiresAt => Time + Expire;
}

/// <summary>
/// TLSSigAPIv2 UserSig generation and decoding, as Tencent's own TLSSigAPIv2 libraries do it: HMAC-SHA256 over four
/// <c>TLS.x:value\n</c> lines keyed with the secret's UTF-8 characters, compact JSON, zlib, Base64 with
/// <c>+→*</c>, <c>/→-</c>, <c>=→_</c>.
/// </summary>
internal static class UserSig
{
    // The relaxed encoder keeps '+' and '/' of TLS.sig literal, as the official libraries write them.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Generate(long sdkAppId, string secretKey, string identifier, long expireSeconds, long unixTime)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretKey);
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        var signature = ComputeSignature(sdkAppId, secretKey, identifier, expireSeconds, unixTime);

        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("TLS.ver", "2.0");
            writer.WriteString("TLS.identifier", identifier);
            writer.WriteNumber("TLS.sdkappid", sdkAppId);
            writer.WriteNumber("TLS.expire", expireSeconds);
            writer.WriteNumber("TLS.time", unixTime);
            writer.WriteString("TLS.sig", signature);
            writer.WriteEndObject();
        }

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(json.WrittenSpan);
        }
        return ToUrlBase64(Convert.ToBase64String(compressed.GetBuffer(), 0, (int)compressed.Length));
    }

    /// <summary>Standard Base64 of HMAC-SHA256(UTF-8 key characters, the four-line string to sign).</summary>
    public static string ComputeSignature(long sdkAppId, string secretKey, string identifier, long expireSeconds, long unixTime)
    {
        var content = string.Create(CultureInfo.InvariantCulture,
            $"TLS.identifier:{identifier}\nTLS.sdkappid:{sdkAppId}\nTLS.time:{unixTime}\nTLS.expire:{expireSeconds}\n");
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(content));
        return Convert.ToBase64String(mac);
    }

    /// <summary>Reverses the encoding and returns the JSON document inside the sig.</summary>
    /// <exception cref="FormatException">The text is not a zlib-compressed, IM-Base64 encoded JSON object.</exception>
    public static string DecodeJson(string userSig)
    {
        ArgumentNullException.ThrowIfNull(userSig);
        byte[] compressed;
        try
        {
            compressed = Convert.FromBase64String(userSig.Replace('*', '+').Replace('-', '/').Replace('_', '='));
        }
        catch (FormatException e)
        {
            throw new FormatException("The UserSig is not IM Base64.", e);
        }
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var json = new MemoryStream();
            zlib.CopyTo(json);
            return Encoding.UTF8.GetString(json.GetBuffer(), 0, (int)json.Length);
        }
        catch (InvalidDataException e)
        {
            throw new FormatException("The UserSig is not zlib data.", e);
        }
    }

    /// <summary>Decodes a sig and reads its six members (order and whitespace do not matter).</summary>
    /// <exception cref="FormatException">Not a UserSig, or a member is missing or has the wrong JSON type.</exception>
    public static UserSigContent Decode(string userSig)
    {
        var json = DecodeJson(userSig);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new UserSigContent(
                root.GetProperty("TLS.ver").GetString()!,
                root.GetProperty("TLS.identifier").GetString()!,
                root.GetProperty("TLS.sdkappid").GetInt64(),
                root.GetProperty("TLS.expire").GetInt64(),
                root.GetProperty("TLS.time").GetInt64(),
                root.GetProperty("TLS.sig").GetString()!);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException("The UserSig does not hold the TLSSigAPIv2 JSON members.", e);
        }
    }

    /// <summary>True when <paramref name="content"/>'s signature was made with <paramref name="secretKey"/>.</summary>
    public static bool HasValidSignature(UserSigContent content, string secretKey)
    {
        ArgumentNullException.ThrowIfNull(content);
        var expected = ComputeSignature(content.SdkAppId, secretKey, content.Identifier, content.Expire, content.Time);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(content.Signature));
    }

    private static string ToUrlBase64(string base64)
        => base64.Replace('+', '*').Replace('/', '-').Replace('=', '_');
}
