namespace SyncGateway.ToLegacy;

/// <summary>Section <c>Legacy</c>: the legacy system, both as receiver of IM events and as sender of deltas.</summary>
internal sealed class LegacyOptions
{
    public const string SectionName = "Legacy";

    /// <summary>Where IM events are POSTed as CloudEvents (<c>Legacy__EventsUrl</c>).</summary>
    public Uri? EventsUrl { get; set; }

    /// <summary><c>whsec_…</c> secret that signs outbound events (<c>Legacy__SigningSecret</c>).</summary>
    public string? SigningSecret { get; set; }

    /// <summary><c>whsec_…</c> secret that legacy signs its deltas with (<c>Legacy__IngressSecret</c>).</summary>
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
