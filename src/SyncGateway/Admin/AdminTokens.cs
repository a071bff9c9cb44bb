using System.Security.Cryptography;
using System.Text;

namespace SyncGateway.Admin;

/// <summary>
/// The configured admin tokens, each kept as its SHA-256 only. A presented token is hashed and compared with every
/// one in constant time, so neither its length nor how much of it matches shows in the answer's timing.
/// </summary>
internal sealed class AdminTokens
{
    public const string DefaultName = "default";

    /// <summary>Shorter secrets are refused at start-up: a bearer token must not be guessable.</summary>
    public const int MinimumLength = 16;

    private readonly IReadOnlyList<(string Name, byte[] Hash)> _tokens;

    public AdminTokens(AdminOptions options)
        => _tokens = [.. Configured(options).Select(t => (t.Name, SHA256.HashData(Encoding.UTF8.GetBytes(t.Secret))))];

    /// <summary>True when at least one token is configured: without one the admin API is off.</summary>
    public bool Any => _tokens.Count > 0;

    /// <summary>The names of the configured tokens.</summary>
    public IEnumerable<string> Names => _tokens.Select(t => t.Name);

    /// <summary><c>Admin:Token</c> as <c>default</c> and every <c>Admin:Tokens:&lt;name&gt;</c>; empty secrets are not tokens.</summary>
    public static IEnumerable<(string Name, string Secret)> Configured(AdminOptions options)
    {
        if (!string.IsNullOrEmpty(options.Token))
        {
            yield return (DefaultName, options.Token);
        }
        foreach (var (name, secret) in options.Tokens.Where(t => !string.IsNullOrEmpty(t.Value)))
        {
            yield return (name, secret);
        }
    }

    /// <summary>The name of the token in an <c>Authorization: Bearer …</c> header; null when it names none.</summary>
    public string? Match(string? authorization)
    {
        const string Scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[Scheme.Length..].Trim()));
        string? match = null;
        // Every token is compared, matched or not: the time taken does not say which one matched.
        foreach (var (name, hash) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, hash))
            {
                match = name;
            }
        }
        return match;
    }
}
