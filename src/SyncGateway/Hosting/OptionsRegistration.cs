using Microsoft.Extensions.Options;

namespace SyncGateway.Hosting;

internal static class OptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to its configuration section and validates it at start-up:
    /// data annotations plus <paramref name="validate"/>, whose messages name the offending key.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(
        this IHostApplicationBuilder builder,
        string sectionName,
        Func<TOptions, IEnumerable<string>>? validate = null)
        where TOptions : class
    {
        var options = builder.Services.AddOptions<TOptions>()
            .Bind(builder.Configuration.GetSection(sectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        if (validate is not null)
        {
            builder.Services.AddSingleton<IValidateOptions<TOptions>>(new DelegateValidator<TOptions>(validate));
        }
        return options;
    }

    /// <summary>Reads a section eagerly, for registrations that must choose an implementation at start-up.</summary>
    public static TOptions ReadOptions<TOptions>(this IHostApplicationBuilder builder, string sectionName)
        where TOptions : class, new()
        => builder.Configuration.GetSection(sectionName).Get<TOptions>() ?? new TOptions();

    private sealed class DelegateValidator<TOptions>(Func<TOptions, IEnumerable<string>> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var failures = validate(options).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
