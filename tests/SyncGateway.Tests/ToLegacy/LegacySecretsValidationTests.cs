using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SyncGateway.FromLegacy;
using SyncGateway.ToLegacy;

namespace SyncGateway.Tests.ToLegacy;

public sealed class LegacySecretsValidationTests
{
    private const string Old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string New = "whsec_dGhlLW5ldy1rZXktMDEyMzQ1Njc4OQ==";

    private static ServiceProvider Build(string? signingSecret, string? ingressSecret)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Legacy:EventsUrl"] = "https://legacy.example.com/hooks/im-events",
            ["Legacy:SigningSecret"] = signingSecret,
            ["Legacy:IngressSecret"] = ingressSecret,
        });
        builder.AddToLegacy();
        builder.AddLegacyIngress();
        return builder.Services.BuildServiceProvider();
    }

    [Fact]
    public void Accepts_several_space_separated_secrets_on_both_sides()
    {
        using var services = Build($"{Old} {New}", $"{New} {Old}");

        var options = services.GetRequiredService<IOptions<LegacyOptions>>().Value;

        Assert.Equal($"{Old} {New}", options.SigningSecret);
    }

    [Fact]
    public void Refuses_to_start_with_an_invalid_secret_naming_the_key_and_position_but_not_the_secret()
    {
        const string invalid = "whsec_nope!";
        using var services = Build(Old, $"{Old} {New} {invalid}");

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LegacyOptions>>().Value);

        Assert.Equal(["Legacy:IngressSecret has an invalid secret at position 3: it must be whsec_ followed by base64"], error.Failures);
        Assert.DoesNotContain("nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_to_start_without_a_signing_secret()
    {
        using var services = Build(null, New);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LegacyOptions>>().Value);

        Assert.Equal(["Legacy:SigningSecret must be one or more whsec_ secrets (whsec_ followed by base64), separated by spaces"], error.Failures);
    }

    [Fact]
    public void Refuses_a_signing_secret_that_is_not_whsec_without_showing_it()
    {
        using var services = Build($"{New} MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", New);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LegacyOptions>>().Value);

        Assert.Equal(["Legacy:SigningSecret has an invalid secret at position 2: it must be whsec_ followed by base64"], error.Failures);
        Assert.DoesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", error.Message, StringComparison.Ordinal);
    }
}
