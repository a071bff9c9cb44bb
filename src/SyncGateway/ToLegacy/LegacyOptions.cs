namespace SyncGateway.ToLegacy;

/// <summary>Section <c>Legacy</c>: the legacy system, both as receiver of IM events and as sender of deltas.</summary>
internal sealed class LegacyOptions
{
    public const string SectionName = "Legacy";

    /// <summary>Where IM events are POSTed as CloudEvents (<c>Legacy__EventsUrl</c>).</summary>
    public Uri? EventsUrl { get; set; }

    /// <summary>
    /// <c>whsec_…</c> secrets that sign outbound events (<c>Legacy__SigningSecret</c>), space-separated: each event
    /// carries one signature per secret, so legacy may rotate its key while either one still verifies.
    /// </summary>
    public string? SigningSecret { get; set; }

    /// <summary>
    /// <c>whsec_…</c> secrets that legacy signs its deltas with (<c>Legacy__IngressSecret</c>), space-separated: a delta
    /// is accepted when one of its signatures verifies with any of them (old and new key during a rotation).
    /// </summary>
    public string? IngressSecret { get; set; }

    /// <summary>Seconds one delivery attempt may take.</summary>
    public int DeliveryTimeoutSeconds { get; set; } = 10;

    /// <summary>HTTP attempts per consume before the consumer's own retry takes over.</summary>
    public int DeliveryAttempts { get; set; } = 3;

    /// <summary>Accepted distance between a delta's <c>webhook-timestamp</c> and our clock.</summary>
    public int IngressToleranceSeconds { get; set; } = 300;

    /// <summary>Largest ingress request body, in bytes.</summary>
    public int IngressMaxBodyBytes { get; set; } = 1024 * 1024;
}
