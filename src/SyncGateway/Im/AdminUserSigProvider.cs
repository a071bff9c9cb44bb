using Microsoft.Extensions.Options;
using SyncGateway.Hosting;

namespace SyncGateway.Im;

/// <summary>The admin UserSig every REST call carries in its query string.</summary>
internal interface IAdminUserSigProvider
{
    /// <summary>A sig valid for a good while yet, reused across calls.</summary>
    /// <exception cref="PermanentFailureException"><c>Im:SecretKey</c> is not configured.</exception>
    string GetUserSig();

    /// <summary>
    /// Drops <paramref name="rejectedSig"/> after IM reported it expired (70001) so the next
    /// <see cref="GetUserSig"/> signs a new one. A no-op when another caller renewed it already.
    /// </summary>
    void Renew(string rejectedSig);
}

/// <summary>
/// Signs one admin UserSig valid for <see cref="Lifetime"/> and renews it at half-life.
/// One day follows Tencent's advice of at least 24 h while keeping a sig that leaks (it travels in URLs)
/// short-lived; renewing at half-life leaves twelve hours of margin for clock skew between us and IM.
/// Signing costs microseconds, so the short lifetime is free.
/// </summary>
internal sealed class AdminUserSigProvider(IOptions<ImOptions> options, TimeProvider time) : IAdminUserSigProvider
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(1);

    private readonly ImOptions _options = options.Value;
    private volatile IssuedSig? _current;

    public string GetUserSig()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var current = _current;
        if (current is not null && now < current.RenewAt)
        {
            return current.Value;
        }
        if (string.IsNullOrEmpty(_options.SecretKey))
        {
            throw new PermanentFailureException(
                "Im:SecretKey is not set; IM REST calls need the admin secret key (Im__SecretKey).");
        }
        var lifetime = (long)Lifetime.TotalSeconds;
        var issued = new IssuedSig(
            UserSig.Generate(_options.SdkAppId, _options.SecretKey, _options.AdminIdentifier, lifetime, now),
            now + lifetime / 2);
        _current = issued;
        return issued.Value;
    }

    public void Renew(string rejectedSig)
    {
        var current = _current;
        if (current is not null && current.Value == rejectedSig)
        {
            Interlocked.CompareExchange(ref _current, null, current);
        }
    }

    private sealed record IssuedSig(string Value, long RenewAt);
}
