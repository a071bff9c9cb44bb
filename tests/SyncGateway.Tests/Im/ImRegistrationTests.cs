using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SyncGateway.Im;

namespace SyncGateway.Tests.Im;

public sealed class ImRegistrationTests
{
    private static ServiceProvider Build(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddImRestClient();
        return builder.Services.BuildServiceProvider();
    }

    private static string ValidationErrors(params (string Key, string Value)[] settings)
    {
        using var services = Build(settings);
        return Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ImOptions>>().Value).Message;
    }

    [Fact]
    public void Resolves_the_client_from_valid_settings()
    {
        using var services = Build(("Im:SdkAppId", "1400000001"), ("Im:ApiBaseUrl", "https://adminapisgp.im.qcloud.com"));

        Assert.IsType<ImRestClient>(services.GetRequiredService<IImRestClient>());
        Assert.Equal(1400000001, services.GetRequiredService<IOptions<ImOptions>>().Value.SdkAppId);
    }

    [Fact]
    public void Requires_the_sdk_app_id()
    {
        Assert.Contains("Im:SdkAppId must be set", ValidationErrors(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://console.tim.qq.com/v4")]
    [InlineData("https://console.tim.qq.com/?a=b")]
    [InlineData("ftp://console.tim.qq.com")]
    public void Requires_a_base_url_of_scheme_and_host_only(string url)
    {
        Assert.Contains("Im:ApiBaseUrl must be scheme and host only", ValidationErrors(("Im:SdkAppId", "1"), ("Im:ApiBaseUrl", url)), StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_negative_rate_and_a_timeout_shorter_than_ims_own()
    {
        var errors = ValidationErrors(("Im:SdkAppId", "1"), ("Im:RestCallsPerSecond", "-1"), ("Im:RestTimeoutSeconds", "3"));

        Assert.Contains("Im:RestCallsPerSecond", errors, StringComparison.Ordinal);
        Assert.Contains("Im:RestTimeoutSeconds", errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Registering_the_options_twice_validates_once()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddImOptions();
        builder.AddImRestClient();
        using var services = builder.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ImOptions>>().Value);
        Assert.Single(error.Failures, f => f.Contains("Im:SdkAppId", StringComparison.Ordinal));
    }
}
