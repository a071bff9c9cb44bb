using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SyncGateway.Messaging;

namespace SyncGateway.Tests.Messaging;

/// <summary>Options as <see cref="MessagingRegistration.AddMessaging"/> binds and validates them from the given settings.</summary>
internal static class MessagingSettings
{
    public static TOptions Resolve<TOptions>(params (string Key, string Value)[] settings)
        where TOptions : class
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddMessaging();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<TOptions>>().Value;
    }
}
