using Microsoft.Extensions.DependencyInjection.Extensions;
using SyncGateway.Hosting;

namespace SyncGateway.Ledger;

internal static class LedgerRegistration
{
    /// <summary>The message id ledger, on the store (<c>AddStore</c>); both relays add it, once.</summary>
    public static IHostApplicationBuilder AddLedger(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<LedgerOptions>(LedgerOptions.SectionName, Validate);
        builder.Services.TryAddSingleton<MessageLedger>();
        builder.Services.TryAddSingleton<DeliveryLedger>();
        return builder;
    }

    internal static IEnumerable<string> Validate(LedgerOptions options)
    {
        if (options.MessageTtlDays is < 1 or > 3650)
        {
            yield return "Ledger:MessageTtlDays must be between 1 and 3650";
        }
        if (options.TtlDays is < 1 or > 365)
        {
            yield return "Ledger:TtlDays must be between 1 and 365";
        }
    }
}
