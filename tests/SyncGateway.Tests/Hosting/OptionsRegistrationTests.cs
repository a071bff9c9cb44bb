using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;

namespace SyncGateway.Tests.Hosting;

public sealed class OptionsRegistrationTests
{
    public sealed class SampleOptions
    {
        public int Value { get; set; }
    }

    private static IEnumerable<string> MustBePositive(SampleOptions o)
    {
        if (o.Value <= 0)
        {
            yield return "Sample:Value must be positive";
        }
    }

    private static IEnumerable<string> MustBeSmall(SampleOptions o)
    {
        if (o.Value > 10)
        {
            yield return "Sample:Value must be at most 10";
        }
    }

    [Fact]
    public void A_section_shared_by_features_is_bound_once_and_each_validator_runs_once()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Sample:Value"] = "0" });

        builder.AddValidatedOptions<SampleOptions>("Sample", MustBePositive);
        builder.AddValidatedOptions<SampleOptions>("Sample", MustBePositive);
        builder.AddValidatedOptions<SampleOptions>("Sample", MustBeSmall);
        using var services = builder.Build();

        Assert.Single(services.Services.GetServices<IConfigureOptions<SampleOptions>>());
        var error = Assert.Throws<OptionsValidationException>(() => services.Services.GetRequiredService<IOptions<SampleOptions>>().Value);
        Assert.Equal(["Sample:Value must be positive"], error.Failures);
    }
}
