using System.Net;
using SyncGateway.Im;

namespace SyncGateway.Tests.Im;

public sealed class ImErrorClassificationTests
{
    [Fact]
    public void Zero_is_success()
    {
        Assert.Equal(ImErrorKind.Success, ImErrorClassification.Classify(0).Kind);
    }

    [Theory]
    [InlineData(10013)]
    [InlineData(10025)]
    public void Codes_meaning_the_state_exists_already_are_already_done(int code)
    {
        Assert.Equal(ImErrorKind.AlreadyDone, ImErrorClassification.Classify(code).Kind);
    }

    [Theory]
    [InlineData(60007)]
    [InlineData(60011)]
    [InlineData(60018)]
    [InlineData(60019)]
    [InlineData(10006)]
    [InlineData(10023)]
    [InlineData(ImErrorClassification.MessageDropped)]
    public void Rate_limit_codes_are_transient_and_back_off_longer(int code)
    {
        Assert.Equal(new ImErrorClass(ImErrorKind.Transient, RateLimited: true), ImErrorClassification.Classify(code));
    }

    [Theory]
    [InlineData(60008)]
    [InlineData(60013)]
    [InlineData(60014)]
    [InlineData(70169)]
    [InlineData(70202)]
    [InlineData(70500)]
    [InlineData(20004)]
    [InlineData(20005)]
    [InlineData(90992)]
    [InlineData(90994)]
    [InlineData(90995)]
    [InlineData(91000)]
    [InlineData(10002)]
    [InlineData(30006)]
    [InlineData(30007)]
    [InlineData(30008)]
    [InlineData(40006)]
    [InlineData(ImErrorClassification.NoAnswer)]
    [InlineData(ImErrorClassification.UnreadableAnswer)]
    public void Busy_and_internal_errors_are_transient(int code)
    {
        Assert.Equal(new ImErrorClass(ImErrorKind.Transient), ImErrorClassification.Classify(code));
    }

    [Fact]
    public void An_expired_user_sig_asks_for_a_new_sig()
    {
        Assert.Equal(ImErrorKind.RenewUserSig, ImErrorClassification.Classify(70001).Kind);
    }

    [Theory]
    [InlineData(70107)]
    [InlineData(20003)]
    [InlineData(90012)]
    [InlineData(90048)]
    [InlineData(10019)]
    [InlineData(30003)]
    [InlineData(40003)]
    public void Missing_accounts_are_a_class_of_their_own(int code)
    {
        Assert.Equal(new ImErrorClass(ImErrorKind.AccountMissing), ImErrorClassification.Classify(code));
    }

    [Theory]
    [InlineData(90003, "admin_msgwithdraw", "AccountMissing")]
    [InlineData(90008, "admin_set_msg_read", "AccountMissing")]
    [InlineData(90008, "importmsg", "Permanent")]
    [InlineData(90003, "sendmsg", "Permanent")]
    public void Codes_that_mean_a_missing_account_only_for_some_APIs_are_classified_by_API(int code, string command, string kind)
    {
        Assert.Equal(Enum.Parse<ImErrorKind>(kind), ImErrorClassification.Classify(code, new ImApi("openim", command, 200)).Kind);
        Assert.Equal(ImErrorKind.Permanent, ImErrorClassification.Classify(code).Kind);
    }

    [Theory]
    [InlineData(60004)]
    [InlineData(60010)]
    [InlineData(70003)]
    [InlineData(70009)]
    [InlineData(70050)]
    [InlineData(90009)]
    [InlineData(10026)]
    public void Refusals_of_the_caller_are_permanent_and_flagged(int code)
    {
        Assert.Equal(new ImErrorClass(ImErrorKind.Permanent, CallerRefused: true), ImErrorClassification.Classify(code));
    }

    [Fact]
    public void An_expired_user_sig_that_stays_refused_after_renewal_is_a_refusal_of_the_caller()
    {
        Assert.True(ImErrorClassification.Classify(70001).CallerRefused);
    }

    [Fact]
    public void A_missing_or_dismissed_group_is_permanent_and_flagged()
    {
        Assert.Equal(new ImErrorClass(ImErrorKind.Permanent, GroupMissing: true), ImErrorClassification.Classify(10010));
    }

    [Theory]
    [InlineData(60002)]
    [InlineData(60003)]
    [InlineData(90001)]
    [InlineData(10004)]
    [InlineData(10007)]
    [InlineData(10015)]
    [InlineData(10021)]
    [InlineData(80002)]
    [InlineData(93000)]
    public void Request_and_configuration_errors_are_permanent(int code)
    {
        Assert.Equal(new ImErrorClass(ImErrorKind.Permanent), ImErrorClassification.Classify(code));
    }

    [Theory]
    [InlineData(12345)]
    [InlineData(99999)]
    public void Unknown_codes_are_permanent(int code)
    {
        Assert.Equal(ImErrorKind.Permanent, ImErrorClassification.Classify(code).Kind);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway, "Transient", false)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "Transient", false)]
    [InlineData(HttpStatusCode.GatewayTimeout, "Transient", false)]
    [InlineData(HttpStatusCode.RequestTimeout, "Transient", false)]
    [InlineData(HttpStatusCode.TooManyRequests, "Transient", true)]
    [InlineData(HttpStatusCode.NotFound, "Permanent", false)]
    [InlineData(HttpStatusCode.BadRequest, "Permanent", false)]
    public void Http_statuses_map_to_pseudo_codes_in_the_same_table(HttpStatusCode status, string kind, bool rateLimited)
    {
        var code = ImErrorClassification.ForHttpStatus(status);

        Assert.Equal(-(int)status, code);
        Assert.Equal(new ImErrorClass(Enum.Parse<ImErrorKind>(kind), rateLimited), ImErrorClassification.Classify(code));
    }

    [Fact]
    public void Rate_limited_retries_wait_at_least_the_floor()
    {
        var policy = ImRetryPolicy.Default;

        for (var retry = 0; retry < 3; retry++)
        {
            Assert.InRange(policy.DelayBefore(retry, rateLimited: true), TimeSpan.FromSeconds(1) * Math.Pow(2, retry), TimeSpan.FromSeconds(1.5) * Math.Pow(2, retry));
            Assert.InRange(policy.DelayBefore(retry, rateLimited: false), TimeSpan.FromMilliseconds(100) * Math.Pow(2, retry), TimeSpan.FromMilliseconds(300) * Math.Pow(2, retry));
        }
    }
}
