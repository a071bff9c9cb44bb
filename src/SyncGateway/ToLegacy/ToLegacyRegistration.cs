using Microsoft.Extensions.DependencyInjection.Extensions;
using MassTransit;
using SyncGateway.Hosting;
using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;

namespace SyncGateway.ToLegacy;

internal static class ToLegacyRegistration
{
    /// <summary>The IM → legacy relay: signed CloudEvents client, dedupe and echo suppression.</summary>
    public static IHostApplicationBuilder AddToLegacy(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<LegacyOptions>(LegacyOptions.SectionName, Validate);
        builder.Services.AddLegacyEventsClient();
        builder.Services.TryAddSingleton<OriginTags>();
        builder.AddLedger();
        // Transient like the typed HttpClient it uses, so the client handler rotates (DNS changes are picked up).
        builder.Services.AddTransient<LegacyRelay>();
        return builder;
    }

    /// <summary>
    /// The typed client for legacy: the resilience handler retries and times out each attempt, and the signing handler
    /// inside it signs each attempt afresh. A <see cref="LegacyDeliveryPolicy"/> registered before is kept.
    /// </summary>
    public static IHttpClientBuilder AddLegacyEventsClient(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LegacyDeliveryPolicy>();
        services.TryAddTransient<LegacySigningHandler>();
        // The per-attempt timeout bounds each attempt; HttpClient's own timeout would cut the whole series of attempts short.
        var client = services.AddHttpClient<LegacyEventsClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        client.AddResilienceHandler("delivery", (pipeline, context) => context.ServiceProvider.GetRequiredService<LegacyDeliveryPolicy>()
            .Configure(pipeline, context.ServiceProvider.GetRequiredService<TimeProvider>()));
        // Added after the resilience handler, so it runs inside it: once per attempt.
        return client.AddHttpMessageHandler<LegacySigningHandler>();
    }


    private static IEnumerable<string> Validate(LegacyOptions options)
    {
        if (options.EventsUrl is null || !options.EventsUrl.IsAbsoluteUri || options.EventsUrl.Scheme is not ("http" or "https"))
        {
            yield return "Legacy:EventsUrl must be an absolute http(s) URL";
        }
        if (StandardWebhooks.DescribeInvalidSecrets("Legacy:SigningSecret", options.SigningSecret) is { } signingSecret)
        {
            yield return signingSecret;
        }
        if (options.DeliveryAttempts is < 1 or > 10)
        {
            yield return "Legacy:DeliveryAttempts must be between 1 and 10";
        }
        if (options.DeliveryTimeoutSeconds is < 1 or > 120)
        {
            yield return "Legacy:DeliveryTimeoutSeconds must be between 1 and 120";
        }
    }
}
