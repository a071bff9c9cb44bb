using Microsoft.Extensions.Options;
using SyncGateway.Spool;

namespace SyncGateway.Hosting;

/// <summary>
/// What must hold before the gateway listens: valid configuration and the resources it opens (the spool file). A
/// failure prints one line naming the key and the problem, instead of a host start-up stack trace.
/// </summary>
internal static class StartupChecks
{
    private sealed record Check(Action<IServiceProvider> Run);

    /// <summary>Runs <paramref name="check"/> before the host starts; it throws to stop start-up.</summary>
    public static IServiceCollection AddStartupCheck(this IServiceCollection services, Action<IServiceProvider> check)
        => services.AddSingleton(new Check(check));

    /// <summary>Validates options, then runs the registered checks; false (with the reason on stderr) when start-up must stop.</summary>
    public static bool Pass(IServiceProvider services, TextWriter error)
    {
        try
        {
            services.GetRequiredService<IStartupValidator>().Validate();
            foreach (var check in services.GetServices<Check>())
            {
                check.Run(services);
            }
            return true;
        }
        catch (OptionsValidationException ex)
        {
            error.WriteLine("Configuration is invalid: " + string.Join("; ", ex.Failures));
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            error.WriteLine("Configuration is invalid: " + string.Join("; ", ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(inner => inner.Failures)));
        }
        catch (SpoolUnavailableException ex)
        {
            error.WriteLine(ex.Message);
        }
        return false;
    }
}
