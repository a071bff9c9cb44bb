using SyncGateway.Fakes.Im;

namespace SyncGateway.Tests.Fakes;

public sealed class ImCallbackSignerTests
{
    [Theory]
    [InlineData("xxxxyyyy", 1669872112, "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061")]
    [InlineData("gw-Token_123", 1736920801, "84f8283508689dd38e7d4ca7caafa4e3658f8c6d4a71fdff46c867b62119ae93")]
    [InlineData("gw-Token_123", 1700000123, "ba04bc4b5f78579424a5ecd1f9e5c66c1fa56d906811f497cdc1734489cbd5a2")]
    public void Sign_matches_the_reference_vectors(string token, long requestTime, string sign)
    {
        Assert.Equal(sign, ImCallbackSigner.Sign(token, requestTime));
    }

    [Fact]
    public void Query_carries_ims_parameters_and_the_sign_when_a_token_is_set()
    {
        var query = ImCallbackSigner.BuildQuery(1400123456, "C2C.CallbackAfterSendMsg", "Android", "203.0.113.10", "gw-Token_123", 1736920801);

        Assert.Equal("SdkAppid=1400123456&CallbackCommand=C2C.CallbackAfterSendMsg&contenttype=json&ClientIP=203.0.113.10&OptPlatform=Android"
            + "&Sign=84f8283508689dd38e7d4ca7caafa4e3658f8c6d4a71fdff46c867b62119ae93&RequestTime=1736920801", query);
    }

    [Fact]
    public void Query_has_no_sign_without_a_token()
    {
        var query = ImCallbackSigner.BuildQuery(1, "Group.CallbackAfterSendMsg", "RESTAPI", "127.0.0.1", null, 1736920801);

        Assert.DoesNotContain("Sign=", query, StringComparison.Ordinal);
        Assert.DoesNotContain("RequestTime=", query, StringComparison.Ordinal);
    }

    [Fact]
    public void Uri_keeps_the_callback_path()
    {
        var uri = ImCallbackSigner.BuildUri(new Uri("http://127.0.0.1:5000/im/callbacks"), 1, "Group.CallbackAfterCreateGroup", "RESTAPI", "127.0.0.1", null, 0);

        Assert.Equal("/im/callbacks", uri.AbsolutePath);
        Assert.StartsWith("?SdkAppid=1&CallbackCommand=Group.CallbackAfterCreateGroup", uri.Query, StringComparison.Ordinal);
    }
}
