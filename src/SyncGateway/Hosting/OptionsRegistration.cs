using Microsoft.Extensions.Options;

namespace SyncGateway.Hosting;

internal static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its configuration section and validates it at start-up:
    /// data annotations plus <paramref name="validate"/>, whose messages name the offending key. Several features may
    /// share a section: it is bound once, and each distinct validator is added once.
    /// </summary>
    public static IHostApplicationBuilder AddValidatedOptions<TOptions>(
        this IHostApplicationBuilder builder,
        string sectionName,
        Func<TOptions, IEnumerable<string>>? validate = null)
        where TOptions : class
    {
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(BoundSection<TOptions>)))
        {
            services.AddSingleton<BoundSection<TOptions>>();
            services.AddOptions<TOptions>()
                .Bind(builder.Configuration.GetSection(sectionName))
                .ValidateDataAnnotations()
                .ValidateOnStart();
        }
        if (validate is not null
            && !services.Any(d => d.ImplementationInstance is DelegateValidator<TOptions> added && added.Validates(validate)))
        {
            services.AddSingleton<IValidateOptions<TOptions>>(new DelegateValidator<TOptions>(validate));
        }
        return builder;
    }

    /// <summary>Reads a section eagerly, for registrations that must choose an implementation at start-up.</summary>
    public static TOptions ReadOptions<TOptions>(this IHostApplicationBuilder builder, string sectionName)
        where TOptions : class, new()
        => builder.Configuration.GetSection(sectionName).Get<TOptions>() ?? new TOptions();

    /// <summary>Marks a section as bound, so a second feature asking for it does not bind it again.</summary>
    private sealed class BoundSection<TOptions>;

    private sealed class DelegateValidator<TOptions>(Func<TOptions, IEnumerable<string>> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public bool Validates(Func<TOptions, IEnumerable<string>> other) => validate.Method == other.Method;

        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var failures = validate(options).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
