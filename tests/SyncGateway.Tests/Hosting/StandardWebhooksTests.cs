using System.Text;
using SyncGateway.Hosting;

namespace SyncGateway.Tests.Hosting;

public sealed class StandardWebhooksTests
{
    // The specification's published test vector, as used by the reference libraries' own tests
    // (standard-webhooks/standard-webhooks, libraries/csharp/StandardWebhooks.Tests/WebhookTest.cs, verifyWebhookSignWorks,
    // commit 1e88c9ce; the PHP and Rust libraries assert the same values).
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string Id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long Timestamp = 1614265330;
    private const string TimestampText = "1614265330";
    private const string Payload = "{\"test\": 2432232314}";
    private const string Signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);
    private static readonly byte[] Key = StandardWebhooks.TryDecodeSecret(Secret)!;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes(Payload);

    [Fact]
    public void Signs_the_published_test_vector()
        => Assert.Equal(Signature, StandardWebhooks.Sign(Key, Id, Timestamp, Body));

    [Fact]
    public void Verifies_the_published_test_vector()
        => Assert.Null(Verify(Signature));

    [Fact]
    public void Accepts_one_valid_signature_among_several()
    {
        const string header = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
            + Signature + " v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";

        Assert.Null(Verify(header));
    }

    [Fact]
    public void Rejects_several_signatures_none_of_which_match()
        => Assert.Equal("webhook-signature does not match", Verify("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,bm9wZQ=="));

    [Fact]
    public void Rejects_a_signature_without_its_version_prefix()
        => Assert.Equal("webhook-signature does not match", Verify(Signature["v1,".Length..]));

    [Fact]
    public void Rejects_a_tampered_body()
    {
        var tampered = Encoding.UTF8.GetBytes("{\"test\": 2432232315}");

        var problem = StandardWebhooks.Verify([Key], Id, TimestampText, Signature, tampered, SignedAt, Tolerance);

        Assert.Equal("webhook-signature does not match", problem);
    }

    [Fact]
    public void Rejects_a_signature_replayed_under_another_id()
    {
        var problem = StandardWebhooks.Verify([Key], "msg_other", TimestampText, Signature, Body, SignedAt, Tolerance);

        Assert.Equal("webhook-signature does not match", problem);
    }

    [Fact]
    public void Rejects_a_signature_made_with_another_key()
    {
        var otherKey = StandardWebhooks.TryDecodeSecret("whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("another secret key")))!;

        Assert.Equal("webhook-signature does not match", Verify(StandardWebhooks.Sign(otherKey, Id, Timestamp, Body)));
    }

    [Fact]
    public void Rejects_a_stale_timestamp()
    {
        var problem = StandardWebhooks.Verify([Key], Id, TimestampText, Signature, Body, SignedAt + Tolerance + TimeSpan.FromSeconds(1), Tolerance);

        Assert.Equal("webhook-timestamp is outside the replay window", problem);
    }

    [Fact]
    public void Rejects_a_timestamp_from_the_future()
    {
        var problem = StandardWebhooks.Verify([Key], Id, TimestampText, Signature, Body, SignedAt - Tolerance - TimeSpan.FromSeconds(1), Tolerance);

        Assert.Equal("webhook-timestamp is outside the replay window", problem);
    }

    [Fact]
    public void Accepts_a_timestamp_at_the_edge_of_the_window()
        => Assert.Null(StandardWebhooks.Verify([Key], Id, TimestampText, Signature, Body, SignedAt + Tolerance, Tolerance));

    [Theory]
    [InlineData(null, "1614265330", Signature)]
    [InlineData("", "1614265330", Signature)]
    [InlineData(Id, null, Signature)]
    [InlineData(Id, "", Signature)]
    [InlineData(Id, "1614265330", null)]
    [InlineData(Id, "1614265330", "")]
    public void Rejects_missing_headers(string? id, string? timestamp, string? signature)
    {
        var problem = StandardWebhooks.Verify([Key], id, timestamp, signature, Body, SignedAt, Tolerance);

        Assert.Equal("webhook-id, webhook-timestamp and webhook-signature headers are required", problem);
    }

    [Theory]
    [InlineData("1614265330.5")]
    [InlineData("2021-02-25T15:02:10Z")]
    [InlineData("-1614265330")]
    public void Rejects_a_timestamp_that_is_not_unix_seconds(string timestamp)
    {
        var problem = StandardWebhooks.Verify([Key], Id, timestamp, Signature, Body, SignedAt, Tolerance);

        Assert.Equal("webhook-timestamp is not a Unix time in seconds", problem);
    }

    [Fact]
    public void Decodes_a_whsec_secret_to_its_base64_bytes()
        => Assert.Equal(Convert.FromBase64String("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), StandardWebhooks.TryDecodeSecret(Secret));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_")]
    [InlineData("whsec_not base64!")]
    [InlineData("WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("sk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    public void Rejects_a_secret_that_is_not_a_whsec_secret(string? secret)
        => Assert.Null(StandardWebhooks.TryDecodeSecret(secret));

    [Fact]
    public void Signs_with_each_of_two_secrets_and_each_signature_verifies_with_its_own_secret_only()
    {
        var newKey = NewKey();

        var header = StandardWebhooks.Sign([Key, newKey], Id, Timestamp, Body);

        var signatures = header.Split(' ');
        Assert.Equal([Signature, StandardWebhooks.Sign(newKey, Id, Timestamp, Body)], signatures);
        Assert.Null(StandardWebhooks.Verify([Key], Id, TimestampText, signatures[0], Body, SignedAt, Tolerance));
        Assert.Null(StandardWebhooks.Verify([newKey], Id, TimestampText, signatures[1], Body, SignedAt, Tolerance));
        Assert.NotNull(StandardWebhooks.Verify([Key], Id, TimestampText, signatures[1], Body, SignedAt, Tolerance));
        Assert.NotNull(StandardWebhooks.Verify([newKey], Id, TimestampText, signatures[0], Body, SignedAt, Tolerance));
    }

    [Fact]
    public void A_receiver_that_knows_either_secret_verifies_a_request_signed_with_both()
    {
        var newKey = NewKey();
        var header = StandardWebhooks.Sign([Key, newKey], Id, Timestamp, Body);

        Assert.Null(StandardWebhooks.Verify([Key], Id, TimestampText, header, Body, SignedAt, Tolerance));
        Assert.Null(StandardWebhooks.Verify([newKey], Id, TimestampText, header, Body, SignedAt, Tolerance));
    }

    [Fact]
    public void Accepts_when_the_last_of_several_signatures_is_the_valid_one()
    {
        var newKey = NewKey();
        var header = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,bm9wZQ== " + StandardWebhooks.Sign(newKey, Id, Timestamp, Body);

        Assert.Null(StandardWebhooks.Verify([Key, newKey], Id, TimestampText, header, Body, SignedAt, Tolerance));
    }

    [Fact]
    public void Accepts_a_request_signed_only_with_the_second_of_the_configured_secrets()
    {
        var newKey = NewKey();

        var problem = StandardWebhooks.Verify([Key, newKey], Id, TimestampText, StandardWebhooks.Sign(newKey, Id, Timestamp, Body), Body, SignedAt, Tolerance);

        Assert.Null(problem);
    }

    [Fact]
    public void Rejects_a_request_signed_with_none_of_the_configured_secrets()
    {
        var problem = StandardWebhooks.Verify([NewKey(), NewKey("a third key")], Id, TimestampText, Signature, Body, SignedAt, Tolerance);

        Assert.Equal("webhook-signature does not match", problem);
    }

    [Theory]
    [InlineData("v1,")]
    [InlineData("v1")]
    [InlineData(",")]
    [InlineData("   ")]
    [InlineData("v1,,, ,,v1")]
    [InlineData("v1,not base64 at all!")]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE")]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=,v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\tv1,x")]
    [InlineData("v1,ü€\u0000\uFFFD")]
    [InlineData("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")]
    public void Answers_a_malformed_signature_header_with_a_refusal_instead_of_throwing(string header)
        => Assert.Equal("webhook-signature does not match", StandardWebhooks.Verify([Key, NewKey()], Id, TimestampText, header, Body, SignedAt, Tolerance));

    [Fact]
    public void Answers_a_huge_signature_header_with_a_refusal_instead_of_throwing()
    {
        var header = string.Join(' ', Enumerable.Repeat("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", 2000));

        Assert.Equal("webhook-signature does not match", Verify(header));
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("+1614265330")]
    [InlineData(" 1614265330")]
    public void Answers_a_malformed_timestamp_with_a_refusal_instead_of_throwing(string timestamp)
        => Assert.NotNull(StandardWebhooks.Verify([Key], Id, timestamp, Signature, Body, SignedAt, Tolerance));

    [Fact]
    public void Decodes_a_space_separated_list_of_secrets_in_order()
    {
        var second = "whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes("the new key"));

        var keys = StandardWebhooks.TryDecodeSecrets($"{Secret}  {second}\n");

        Assert.Equal([Key, Encoding.UTF8.GetBytes("the new key")], keys);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(Secret + " MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_ " + Secret)]
    public void Decodes_no_keys_from_a_list_that_is_empty_or_holds_anything_but_whsec_secrets(string? secrets)
        => Assert.Null(StandardWebhooks.TryDecodeSecrets(secrets));

    [Fact]
    public void Describes_the_position_of_an_invalid_secret_without_showing_it()
    {
        const string invalid = "whsec_not-base64!";

        var problem = StandardWebhooks.DescribeInvalidSecrets("Legacy:IngressSecret", $"{Secret} {invalid} {Secret}");

        Assert.Equal("Legacy:IngressSecret has an invalid secret at position 2: it must be whsec_ followed by base64", problem);
        Assert.DoesNotContain("not-base64", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    public void Describes_a_missing_secret_list(string? secrets)
        => Assert.Equal("Legacy:SigningSecret must be one or more whsec_ secrets (whsec_ followed by base64), separated by spaces",
            StandardWebhooks.DescribeInvalidSecrets("Legacy:SigningSecret", secrets));

    [Fact]
    public void Finds_nothing_wrong_with_a_list_of_valid_secrets()
        => Assert.Null(StandardWebhooks.DescribeInvalidSecrets("Legacy:SigningSecret", $"{Secret} whsec_{Convert.ToBase64String(Encoding.UTF8.GetBytes("new"))}"));

    private static byte[] NewKey(string text = "the new signing key")
        => StandardWebhooks.TryDecodeSecret("whsec_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(text)))!;

    private static string? Verify(string signatures)
        => StandardWebhooks.Verify([Key], Id, TimestampText, signatures, Body, SignedAt, Tolerance);
}
