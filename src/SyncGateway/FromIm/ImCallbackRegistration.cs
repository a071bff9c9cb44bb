using Microsoft.Extensions.Options;
using SyncGateway.Hosting;
using SyncGateway.Im;

namespace SyncGateway.FromIm;

internal static class ImCallbackRegistration
{
    /// <summary>The IM callback intake. Depends on the broker only: Redis is the consumers' business, so a Redis outage never refuses a callback.</summary>
    public static IHostApplicationBuilder AddImCallbacks(this IHostApplicationBuilder builder)
    {
        builder.AddImOptions();
        if (string.IsNullOrEmpty(builder.ReadOptions<ImOptions>(ImOptions.SectionName).CallbackToken))
        {
            builder.Services.AddStartupWarning("Im:CallbackToken is empty: IM callback Sign is NOT verified. Only the SdkAppid is checked; terminate HTTPS at an ingress you trust.");
        }
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ImOptions>>().Value;
            return new ImCallbackParser(options.SdkAppId, options.RelayUndeliveredC2CMessages);
        });
        return builder;
    }
}
