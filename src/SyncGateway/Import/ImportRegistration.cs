using SyncGateway.Hosting;

namespace SyncGateway.Import;

internal static class ImportRegistration
{
    /// <summary>The validated <see cref="ImportOptions"/> (section <c>Import</c>).</summary>
    public static IHostApplicationBuilder AddImport(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ImportOptions>(ImportOptions.SectionName, options => options.Validate());
        return builder;
    }
}
