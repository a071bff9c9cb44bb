using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SyncGateway.Fakes.Im;

/// <summary>
/// Checks an admin UserSig the way IM does, written apart from the gateway's generator
/// so that a bug shared by both cannot pass unnoticed. Answers IM's error code, 0 when the sig is good.
/// </summary>
internal static class FakeUserSigVerifier
{
    public static int Verify(string? userSig, long sdkAppId, string identifier, string secretKey, long unixNow)
    {
        if (string.IsNullOrEmpty(userSig))
        {
            return 70002;
        }
        JsonElement sig;
        try
        {
            var compressed = Convert.FromBase64String(userSig.Replace('*', '+').Replace('-', '/').Replace('_', '='));
            using var zlib = new ZLibStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var document = JsonDocument.Parse(zlib);
            sig = document.RootElement.Clone();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException or JsonException)
        {
            return 70003;
        }
        if (!sig.TryGetProperty("TLS.identifier", out var sigIdentifier) || sigIdentifier.ValueKind != JsonValueKind.String
            || !sig.TryGetProperty("TLS.sdkappid", out var sigAppId) || !sigAppId.TryGetInt64(out var appId)
            || !sig.TryGetProperty("TLS.time", out var sigTime) || !sigTime.TryGetInt64(out var time)
            || !sig.TryGetProperty("TLS.expire", out var sigExpire) || !sigExpire.TryGetInt64(out var expire)
            || !sig.TryGetProperty("TLS.sig", out var mac) || mac.ValueKind != JsonValueKind.String)
        {
            return 70003;
        }

        var content = $"TLS.identifier:{sigIdentifier.GetString()}\nTLS.sdkappid:{appId}\nTLS.time:{time}\nTLS.expire:{expire}\n";
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(content));
        byte[] actual;
        try
        {
            actual = Convert.FromBase64String(mac.GetString()!);
        }
        catch (FormatException)
        {
            return 70003;
        }
        if (!CryptographicOperations.FixedTimeEquals(expected, actual))
        {
            return 70009;
        }
        if (sigIdentifier.GetString() != identifier)
        {
            return 70013;
        }
        if (appId != sdkAppId)
        {
            return 70014;
        }
        return unixNow > time + expire ? 70001 : 0;
    }
}
