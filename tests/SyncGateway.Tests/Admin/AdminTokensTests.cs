using SyncGateway.Admin;

namespace SyncGateway.Tests.Admin;

public sealed class AdminTokensTests
{
    private const string Default = "default-token-0123456789";
    private const string Ops = "ops-token-0123456789abcdef";

    [Fact]
    public void Admin_Token_alone_is_one_token_named_default()
    {
        var tokens = new AdminTokens(new AdminOptions { Token = Default });

        Assert.Equal(["default"], tokens.Names);
        Assert.Equal("default", tokens.Match("Bearer " + Default));
    }

    [Fact]
    public void Each_named_token_matches_under_its_name_and_anything_else_matches_none()
    {
        var tokens = new AdminTokens(new AdminOptions { Token = Default, Tokens = { ["ops"] = Ops, ["unset"] = "" } });

        Assert.Equal(["default", "ops"], tokens.Names);
        Assert.Equal("ops", tokens.Match("Bearer " + Ops));
        Assert.Equal("ops", tokens.Match("bearer " + Ops));
        Assert.Null(tokens.Match(null));
        Assert.Null(tokens.Match(Ops));
        Assert.Null(tokens.Match("Basic " + Ops));
        Assert.Null(tokens.Match("Bearer " + Ops[..^1]));
        Assert.Null(tokens.Match("Bearer "));
    }

    [Fact]
    public void No_token_configured_means_the_admin_API_is_off()
        => Assert.False(new AdminTokens(new AdminOptions { Tokens = { ["ops"] = "" } }).Any);

    [Theory]
    [InlineData("http://127.0.0.1:5081", null)]
    [InlineData("http://0.0.0.0:8081", null)]
    [InlineData("http://127.0.0.1", "Admin:Urls")]
    [InlineData("https://127.0.0.1:5081", "Admin:Urls")]
    [InlineData("http://127.0.0.1:5081/admin", "Admin:Urls")]
    [InlineData("not a url", "Admin:Urls")]
    public void Admin_Urls_is_one_http_URL_with_a_port(string urls, string? failure)
    {
        var failures = AdminRegistration.Validate(new AdminOptions { Urls = urls }).ToList();

        if (failure is null)
        {
            Assert.Empty(failures);
        }
        else
        {
            Assert.StartsWith(failure, Assert.Single(failures), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_short_token_is_refused_by_its_name_never_its_secret()
    {
        var failure = Assert.Single(AdminRegistration.Validate(new AdminOptions { Tokens = { ["ops"] = "short" } }));

        Assert.Contains("'ops'", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("short", failure.Replace("at least", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Admin_Token_and_a_token_named_default_are_one_too_many()
        => Assert.Contains(AdminRegistration.Validate(new AdminOptions { Token = Default, Tokens = { ["default"] = Ops } }), f => f.Contains("name the same token", StringComparison.Ordinal));
}
