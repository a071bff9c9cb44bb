using SyncGateway.Hosting;
using SyncGateway.ToLegacy;

namespace SyncGateway.FromLegacy;

internal static class LegacyIngressRegistration
{
    /// <summary>The legacy ingress. Like the IM intake it depends on the broker only.</summary>
    public static IHostApplicationBuilder AddLegacyIngress(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<LegacyOptions>(LegacyOptions.SectionName, Validate);
        return builder;
    }

    private static IEnumerable<string> Validate(LegacyOptions options)
    {
        if (StandardWebhooks.DescribeInvalidSecrets("Legacy:IngressSecret", options.IngressSecret) is { } ingressSecret)
        {
            yield return ingressSecret;
        }
        if (options.IngressToleranceSeconds is < 1 or > 3600)
        {
            yield return "Legacy:IngressToleranceSeconds must be between 1 and 3600";
        }
        if (options.IngressMaxBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            yield return "Legacy:IngressMaxBodyBytes must be between 1024 and 67108864";
        }
    }
}
