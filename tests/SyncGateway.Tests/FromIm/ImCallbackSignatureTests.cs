using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using SyncGateway.Im;
using SyncGateway.FromIm;

namespace SyncGateway.Tests.FromIm;

public sealed class ImCallbackSignatureTests
{
    private const long SdkAppId = 1400123456;
    private const string Token = "gw-Token_123";
    private const string RequestTime = "1736920801";
    private const string Sign = "84f8283508689dd38e7d4ca7caafa4e3658f8c6d4a71fdff46c867b62119ae93";

    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(1736920801);

    private readonly ImOptions _options = new() { SdkAppId = SdkAppId, CallbackToken = Token };

    // IM's callback authentication page example and two vectors computed with sha256sum and openssl.
    [Theory]
    [InlineData("xxxxyyyy", "1669872112", "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061")]
    [InlineData("gw-Token_123", "1736920801", "84f8283508689dd38e7d4ca7caafa4e3658f8c6d4a71fdff46c867b62119ae93")]
    [InlineData("gw-Token_123", "1700000123", "ba04bc4b5f78579424a5ecd1f9e5c66c1fa56d906811f497cdc1734489cbd5a2")]
    public void Computes_the_reference_test_vectors(string token, string requestTime, string sign)
        => Assert.Equal(sign, ImCallbackSignature.Compute(token, requestTime));

    [Fact]
    public void Accepts_a_valid_sign()
        => Assert.Null(ImCallbackSignature.Verify(Query(), _options, SignedAt.AddSeconds(2)));

    [Fact]
    public void Accepts_a_sign_in_upper_case_hex()
        => Assert.Null(ImCallbackSignature.Verify(Query(sign: Sign.ToUpperInvariant()), _options, SignedAt));

    [Theory]
    [InlineData(-60)]
    [InlineData(60)]
    public void Accepts_a_request_time_at_the_edge_of_the_skew_window(int secondsAfterSigning)
        => Assert.Null(ImCallbackSignature.Verify(Query(), _options, SignedAt.AddSeconds(secondsAfterSigning)));

    [Fact]
    public void Returns_problem_when_sign_is_wrong()
    {
        var otherTokensSign = ImCallbackSignature.Compute("another-token", RequestTime);

        var problem = ImCallbackSignature.Verify(Query(sign: otherTokensSign), _options, SignedAt);

        Assert.Equal("Sign does not match", problem);
    }

    [Fact]
    public void Returns_problem_when_sign_belongs_to_another_request_time()
    {
        var problem = ImCallbackSignature.Verify(Query(requestTime: "1736920802"), _options, SignedAt);

        Assert.Equal("Sign does not match", problem);
    }

    [Fact]
    public void Returns_problem_when_sign_is_truncated()
        => Assert.Equal("Sign does not match", ImCallbackSignature.Verify(Query(sign: Sign[..63]), _options, SignedAt));

    [Fact]
    public void Returns_problem_when_sign_is_stale()
    {
        var problem = ImCallbackSignature.Verify(Query(), _options, SignedAt.AddSeconds(61));

        Assert.Equal("RequestTime is outside the allowed clock skew", problem);
    }

    [Fact]
    public void Returns_problem_when_request_time_is_in_the_future()
    {
        var problem = ImCallbackSignature.Verify(Query(), _options, SignedAt.AddSeconds(-61));

        Assert.Equal("RequestTime is outside the allowed clock skew", problem);
    }

    [Fact]
    public void Uses_the_configured_skew_window()
    {
        _options.CallbackMaxSkewSeconds = 5;

        Assert.NotNull(ImCallbackSignature.Verify(Query(), _options, SignedAt.AddSeconds(6)));
        Assert.Null(ImCallbackSignature.Verify(Query(), _options, SignedAt.AddSeconds(5)));
    }

    [Fact]
    public void Returns_problem_when_sign_is_missing()
    {
        var problem = ImCallbackSignature.Verify(Query(sign: null), _options, SignedAt);

        Assert.Equal("Sign and RequestTime are required", problem);
    }

    [Fact]
    public void Returns_problem_when_sign_is_empty()
        => Assert.Equal("Sign and RequestTime are required", ImCallbackSignature.Verify(Query(sign: ""), _options, SignedAt));

    [Fact]
    public void Returns_problem_when_request_time_is_missing()
    {
        var problem = ImCallbackSignature.Verify(Query(requestTime: null), _options, SignedAt);

        Assert.Equal("Sign and RequestTime are required", problem);
    }

    [Theory]
    [InlineData("17369208O1")]
    [InlineData("-1736920801")]
    [InlineData("1736920801.0")]
    [InlineData(" 1736920801")]
    [InlineData("99999999999999999999999")]
    public void Returns_problem_when_request_time_is_not_unix_seconds(string requestTime)
    {
        var problem = ImCallbackSignature.Verify(Query(requestTime: requestTime), _options, SignedAt);

        Assert.Equal("RequestTime is not a Unix time in seconds", problem);
    }

    [Theory]
    [InlineData("1400000000")]
    [InlineData("")]
    [InlineData("14001234560")]
    [InlineData("app")]
    public void Returns_problem_when_sdk_app_id_is_not_ours(string sdkAppId)
    {
        var problem = ImCallbackSignature.Verify(Query(sdkAppId: sdkAppId), _options, SignedAt);

        Assert.Equal("SdkAppid is missing or not this gateway's application", problem);
    }

    [Fact]
    public void Returns_problem_when_sdk_app_id_is_missing()
    {
        var problem = ImCallbackSignature.Verify(Query(sdkAppId: null), _options, SignedAt);

        Assert.Equal("SdkAppid is missing or not this gateway's application", problem);
    }

    [Fact]
    public void Checks_only_the_sdk_app_id_when_no_token_is_configured()
    {
        var options = new ImOptions { SdkAppId = SdkAppId, CallbackToken = null };

        Assert.Null(ImCallbackSignature.Verify(Query(sign: null, requestTime: null), options, SignedAt));
        Assert.Null(ImCallbackSignature.Verify(Query(sign: "nonsense", requestTime: "0"), options, SignedAt.AddDays(30)));
        Assert.NotNull(ImCallbackSignature.Verify(Query(sdkAppId: "1400000000"), options, SignedAt));
    }

    [Fact]
    public void Treats_an_empty_token_as_no_token()
    {
        var options = new ImOptions { SdkAppId = SdkAppId, CallbackToken = "" };

        Assert.Null(ImCallbackSignature.Verify(Query(sign: null, requestTime: null), options, SignedAt));
    }

    [Fact]
    public void Never_puts_the_token_or_the_sign_in_a_problem()
    {
        var wrongSign = ImCallbackSignature.Compute("another-token", RequestTime);
        string?[] problems =
        [
            ImCallbackSignature.Verify(Query(sign: wrongSign), _options, SignedAt),
            ImCallbackSignature.Verify(Query(sign: wrongSign), _options, SignedAt.AddHours(1)),
            ImCallbackSignature.Verify(Query(sign: wrongSign, requestTime: "x"), _options, SignedAt),
        ];

        Assert.All(problems, problem =>
        {
            Assert.NotNull(problem);
            Assert.DoesNotContain(Token, problem, StringComparison.Ordinal);
            Assert.DoesNotContain(wrongSign, problem, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Sign, problem, StringComparison.OrdinalIgnoreCase);
        });
    }

    private static QueryCollection Query(string? sdkAppId = "1400123456", string? requestTime = RequestTime, string? sign = Sign)
    {
        var values = new Dictionary<string, StringValues>
        {
            ["CallbackCommand"] = "C2C.CallbackAfterSendMsg",
            ["contenttype"] = "json",
            ["ClientIP"] = "203.0.113.10",
            ["OptPlatform"] = "Android",
        };
        if (sdkAppId is not null)
        {
            values["SdkAppid"] = sdkAppId;
        }
        if (requestTime is not null)
        {
            values["RequestTime"] = requestTime;
        }
        if (sign is not null)
        {
            values["Sign"] = sign;
        }
        return new QueryCollection(values);
    }
}
