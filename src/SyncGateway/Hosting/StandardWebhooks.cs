using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SyncGateway.Hosting;

/// <summary>
/// Standard Webhooks signatures (standardwebhooks.com): <c>webhook-signature: v1,base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))</c>
/// with the key given as <c>whsec_{base64}</c>. Used to sign what we send to legacy and to verify what legacy sends us.
/// A setting may hold several space-separated secrets so that a key can be rotated without downtime: a request is
/// signed with each of them, and verifies when any of its signatures matches any of them.
/// </summary>
internal static class StandardWebhooks
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    private const string SecretPrefix = "whsec_";

    /// <summary>Decodes a <c>whsec_</c> secret; null when it is not one.</summary>
    public static byte[]? TryDecodeSecret(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            var key = Convert.FromBase64String(secret[SecretPrefix.Length..]);
            return key.Length == 0 ? null : key;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The keys of a space-separated list of <c>whsec_</c> secrets; null when it is empty or holds anything else.</summary>
    public static IReadOnlyList<byte[]>? TryDecodeSecrets(string? secrets)
    {
        var keys = new List<byte[]>();
        foreach (var secret in SplitSecrets(secrets))
        {
            if (TryDecodeSecret(secret) is not { } key)
            {
                return null;
            }
            keys.Add(key);
        }
        return keys.Count == 0 ? null : keys;
    }

    /// <summary>
    /// Null when <paramref name="secrets"/> is a valid list for <see cref="TryDecodeSecrets"/>; otherwise what is wrong,
    /// naming <paramref name="settingName"/> and the position of the bad secret but never the secret itself.
    /// </summary>
    public static string? DescribeInvalidSecrets(string settingName, string? secrets)
    {
        var list = SplitSecrets(secrets);
        if (list.Length == 0)
        {
            return $"{settingName} must be one or more whsec_ secrets (whsec_ followed by base64), separated by spaces";
        }
        for (var i = 0; i < list.Length; i++)
        {
            if (TryDecodeSecret(list[i]) is null)
            {
                return $"{settingName} has an invalid secret at position {i + 1}: it must be whsec_ followed by base64";
            }
        }
        return null;
    }

    /// <summary>The <c>webhook-signature</c> value: one <c>v1,</c> signature per key, space-separated.</summary>
    public static string Sign(IReadOnlyList<byte[]> keys, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var signatures = new string[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            signatures[i] = Sign(keys[i], id, timestamp, body);
        }
        return string.Join(' ', signatures);
    }

    public static string Sign(byte[] key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(CultureInfo.InvariantCulture)}.");
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>
    /// Null when the request is authentic (any of its signatures made with any of <paramref name="keys"/>) and fresh;
    /// otherwise what is wrong (never a signature itself). Malformed headers are answered, never thrown.
    /// </summary>
    public static string? Verify(IReadOnlyList<byte[]> keys, string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures))
        {
            return "webhook-id, webhook-timestamp and webhook-signature headers are required";
        }
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return "webhook-timestamp is not a Unix time in seconds";
        }
        if (Math.Abs(now.ToUnixTimeSeconds() - seconds) > tolerance.TotalSeconds)
        {
            return "webhook-timestamp is outside the replay window";
        }
        var expected = new byte[keys.Count][];
        for (var i = 0; i < keys.Count; i++)
        {
            expected[i] = Encoding.ASCII.GetBytes(Sign(keys[i], id, seconds, body));
        }
        // Every candidate is compared with every key, so the time taken does not tell which one matched.
        var matched = false;
        foreach (var candidate in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var bytes = Encoding.UTF8.GetBytes(candidate);
            foreach (var signature in expected)
            {
                matched |= CryptographicOperations.FixedTimeEquals(signature, bytes);
            }
        }
        return matched ? null : "webhook-signature does not match";
    }

    // Any whitespace separates, so a list mounted from a file with a trailing newline still reads as intended.
    private static string[] SplitSecrets(string? secrets)
        => secrets?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) ?? [];
}
