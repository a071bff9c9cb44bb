using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Im;

public sealed class UserSigTests
{
    // Tencent's published sample key (TLSSigAPIv2 documentation), not a secret.
    private const string SampleKey = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e";
    private const string SampleUserSig = "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5mcUlRYkl*UVQBcUp2YkFBZkpSlaGJgZQAJFJrSjILEoFipuamhrBRUsyc0Fi5qhqizPTgeZ7OVdVJOa5WfiFhEQklprkahtlWJaXmadHeuVV*mUX5xpU5Br6uUaEGpmb2CrVAgBObjSn";
    private const string SampleJson = """{"TLS.ver":"2.0","TLS.identifier":"administrator","TLS.sdkappid":1400000000,"TLS.expire":15552000,"TLS.time":1700000000,"TLS.sig":"JCzxanF8NTTXau4m+2h9wv7gYJnyNksm0xm1NEXU274="}""";

    [Fact]
    public void Decodes_the_reference_sample_to_its_compact_json()
    {
        Assert.Equal(SampleJson, UserSig.DecodeJson(SampleUserSig));
    }

    [Fact]
    public void Reference_sample_verifies_with_the_sample_key_only()
    {
        var content = UserSig.Decode(SampleUserSig);

        Assert.True(UserSig.HasValidSignature(content, SampleKey));
        Assert.False(UserSig.HasValidSignature(content, SampleKey[..^1] + "f"));
    }

    [Fact]
    public void Signature_is_the_hmac_of_the_four_lines_keyed_with_the_key_characters()
    {
        var signature = UserSig.ComputeSignature(1400000000, SampleKey, "administrator", 15552000, 1700000000);

        Assert.Equal("242cf16a717c3534d76aee26fb687dc2fee06099f2364b26d319b53445d4dbbe", Convert.ToHexStringLower(Convert.FromBase64String(signature)));
    }

    [Fact]
    public void Generated_sig_decodes_to_the_reference_members_and_verifies()
    {
        var sig = UserSig.Generate(1400000000, SampleKey, "administrator", 15552000, 1700000000);

        Assert.Matches("^[A-Za-z0-9*_-]+$", sig);
        Assert.Equal(SampleJson, UserSig.DecodeJson(sig));
        var content = UserSig.Decode(sig);
        Assert.Equal(new UserSigContent("2.0", "administrator", 1400000000, 15552000, 1700000000, content.Signature), content);
        Assert.Equal(1715552000, content.ExpiresAt);
        var recomputed = HMACSHA256.HashData(Encoding.UTF8.GetBytes(SampleKey),
            "TLS.identifier:administrator\nTLS.sdkappid:1400000000\nTLS.time:1700000000\nTLS.expire:15552000\n"u8);
        Assert.Equal(Convert.ToBase64String(recomputed), content.Signature);
    }

    [Fact]
    public void Generated_sig_is_zlib_framed()
    {
        var sig = UserSig.Generate(1400000000, SampleKey, "administrator", 86400, 1700000000);

        var bytes = Convert.FromBase64String(sig.Replace('*', '+').Replace('-', '/').Replace('_', '='));
        Assert.Equal(0x78, bytes[0]);
        Assert.Equal(0, ((bytes[0] << 8) | bytes[1]) % 31);
    }

    [Theory]
    [InlineData("not a sig!")]
    [InlineData("AAAA")]
    [InlineData("eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5mcUlRYkl")]
    public void Rejects_text_that_is_not_a_user_sig(string text)
    {
        Assert.Throws<FormatException>(() => UserSig.Decode(text));
    }
}

public sealed class AdminUserSigProviderTests
{
    private readonly ManualTimeProvider _time = new();

    private AdminUserSigProvider Provider(string? key = "k3y") => new(Options.Create(new ImOptions
    {
        SdkAppId = 1400000001,
        AdminIdentifier = "gw_admin",
        SecretKey = key,
    }), _time);

    [Fact]
    public void Signs_for_the_admin_for_one_day_from_now()
    {
        var content = UserSig.Decode(Provider().GetUserSig());

        Assert.Equal("gw_admin", content.Identifier);
        Assert.Equal(1400000001, content.SdkAppId);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), content.Time);
        Assert.Equal(86400, content.Expire);
        Assert.True(UserSig.HasValidSignature(content, "k3y"));
    }

    [Fact]
    public void Reuses_one_sig_until_half_its_lifetime_has_passed()
    {
        var provider = Provider();
        var first = provider.GetUserSig();

        _time.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        Assert.Same(first, provider.GetUserSig());

        _time.Advance(TimeSpan.FromSeconds(1));
        var renewed = provider.GetUserSig();
        Assert.NotEqual(first, renewed);
        Assert.Equal(_time.GetUtcNow().ToUnixTimeSeconds(), UserSig.Decode(renewed).Time);
    }

    [Fact]
    public void Renew_replaces_the_rejected_sig_only()
    {
        var provider = Provider();
        var first = provider.GetUserSig();
        _time.Advance(TimeSpan.FromSeconds(5));

        provider.Renew("some older sig");
        Assert.Same(first, provider.GetUserSig());

        provider.Renew(first);
        Assert.NotEqual(first, provider.GetUserSig());
    }

    [Fact]
    public void Without_a_secret_key_refuses_with_a_permanent_failure_naming_the_key()
    {
        var error = Assert.Throws<PermanentFailureException>(() => Provider(key: "").GetUserSig());

        Assert.Contains("Im:SecretKey", error.Message, StringComparison.Ordinal);
    }
}
