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

        var problem = StandardWebhooks.Verify(Key, Id, TimestampText, Signature, tampered, SignedAt, Tolerance);

        Assert.Equal("webhook-signature does not match", problem);
    }

    [Fact]
    public void Rejects_a_signature_replayed_under_another_id()
    {
        var problem = StandardWebhooks.Verify(Key, "msg_other", TimestampText, Signature, Body, SignedAt, Tolerance);

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
        var problem = StandardWebhooks.Verify(Key, Id, TimestampText, Signature, Body, SignedAt + Tolerance + TimeSpan.FromSeconds(1), Tolerance);

        Assert.Equal("webhook-timestamp is outside the replay window", problem);
    }

    [Fact]
    public void Rejects_a_timestamp_from_the_future()
    {
        var problem = StandardWebhooks.Verify(Key, Id, TimestampText, Signature, Body, SignedAt - Tolerance - TimeSpan.FromSeconds(1), Tolerance);

        Assert.Equal("webhook-timestamp is outside the replay window", problem);
    }

    [Fact]
    public void Accepts_a_timestamp_at_the_edge_of_the_window()
        => Assert.Null(StandardWebhooks.Verify(Key, Id, TimestampText, Signature, Body, SignedAt + Tolerance, Tolerance));

    [Theory]
    [InlineData(null, "1614265330", Signature)]
    [InlineData("", "1614265330", Signature)]
    [InlineData(Id, null, Signature)]
    [InlineData(Id, "", Signature)]
    [InlineData(Id, "1614265330", null)]
    [InlineData(Id, "1614265330", "")]
    public void Rejects_missing_headers(string? id, string? timestamp, string? signature)
    {
        var problem = StandardWebhooks.Verify(Key, id, timestamp, signature, Body, SignedAt, Tolerance);

        Assert.Equal("webhook-id, webhook-timestamp and webhook-signature headers are required", problem);
    }

    [Theory]
    [InlineData("1614265330.5")]
    [InlineData("2021-02-25T15:02:10Z")]
    [InlineData("-1614265330")]
    public void Rejects_a_timestamp_that_is_not_unix_seconds(string timestamp)
    {
        var problem = StandardWebhooks.Verify(Key, Id, timestamp, Signature, Body, SignedAt, Tolerance);

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

    private static string? Verify(string signatures)
        => StandardWebhooks.Verify(Key, Id, TimestampText, signatures, Body, SignedAt, Tolerance);
}
