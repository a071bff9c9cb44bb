using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SyncGateway.ToLegacy;

namespace SyncGateway.Tests.Support;

/// <summary>
/// Builds <see cref="LegacyEventsClient"/> as the gateway registers it (resilience handler, per-attempt signing) on
/// a stub transport and a test clock, without delays between attempts. Disposing it disposes every client built.
/// </summary>
internal sealed class LegacyClientFactory(TimeProvider time) : IDisposable
{
    private readonly List<ServiceProvider> _providers = [];

    public LegacyEventsClient Create(LegacyOptions options, HttpMessageHandler transport)
    {
        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(new LegacyDeliveryPolicy(Options.Create(options), retryDelay: TimeSpan.Zero));
        services.AddLegacyEventsClient().ConfigurePrimaryHttpMessageHandler(() => transport);
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<LegacyEventsClient>();
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
    }
}
