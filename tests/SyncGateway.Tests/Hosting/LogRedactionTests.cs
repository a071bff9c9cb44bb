using System.Text.Json;
using Microsoft.Extensions.Logging;

// These tests play any caller, libraries included, that logs through the extension methods rather than [LoggerMessage].
#pragma warning disable CA1848, CA1873

namespace SyncGateway.Tests.Hosting;

public sealed class LogRedactionTests
{
    private const string CallbackToken = "cb-token-0123456789";
    private const string SecretKey = "im-secret-key-abcdef";
    private const string RabbitPassword = "rabbit-pass-9876";

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Im:CallbackToken"] = CallbackToken,
        ["Im:SecretKey"] = SecretKey,
        ["Im:CallbackMaxSkewSeconds"] = "60",
        ["RabbitMq:Uri"] = $"amqp://gateway:{RabbitPassword}@rabbit:5672/",
    };

    [Fact]
    public void Development_writes_readable_lines_masked_like_the_JSON_ones()
    {
        using var capture = new LogCapture(Settings, development: true);

        capture.CreateLogger("SyncGateway.Test").LogInformation("Signed with {UserSig} using {Key} for {User}", "eJwtzEELgjAYgOG-sstbM", SecretKey, "alice");

        var line = capture.Lines.Single();
        Assert.Matches(@"^\[\d{2}:\d{2}:\d{2} INF\] SyncGateway.Test: Signed with \*\*\* using \*\*\* for alice$", line);
        Assert.DoesNotContain(SecretKey, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Masks_properties_whose_names_say_they_are_secret()
    {
        using var capture = new LogCapture(Settings);

        capture.CreateLogger("SyncGateway.Test").LogInformation(
            "Calling with {UserSig} {Signature} {AccessToken} {Password} {Authorization} for {User}",
            "eJwtzEELgjAYgOG-sstbM", "v1,abc123", "tok-1", "hunter2hunter2", "Bearer xyz", "alice");

        var line = capture.Lines.Single();
        foreach (var secret in new[] { "eJwtzEELgjAYgOG-sstbM", "v1,abc123", "tok-1", "hunter2hunter2", "xyz" })
        {
            Assert.DoesNotContain(secret, line, StringComparison.Ordinal);
        }
        var logged = capture.Events.Single();
        Assert.Equal("***", logged.GetProperty("UserSig").GetString());
        Assert.Equal("alice", logged.GetProperty("User").GetString());
        Assert.Contains("for alice", logged.GetProperty("@m").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Masks_configured_secret_values_wherever_they_appear()
    {
        using var capture = new LogCapture(Settings);
        var logger = capture.CreateLogger("SyncGateway.Test");

#pragma warning disable CA2254 // the point: a secret baked into the message text itself
        logger.LogWarning($"token was {CallbackToken}");
#pragma warning restore CA2254
        logger.LogWarning("Key {Value} in {Payload}", SecretKey, new { Nested = new[] { "x", SecretKey } });
        logger.LogError(new InvalidOperationException($"connect failed with {SecretKey}"), "Failed");

        Assert.DoesNotContain(CallbackToken, capture.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, capture.Text, StringComparison.Ordinal);
        Assert.Equal("token was ***", capture.Events[0].GetProperty("@m").GetString());
    }

    [Fact]
    public void Masks_each_secret_of_a_setting_that_lists_several_for_rotation()
    {
        const string Old = "whsec_b2xkLXNpZ25pbmctc2VjcmV0";
        const string New = "whsec_bmV3LXNpZ25pbmctc2VjcmV0";
        using var capture = new LogCapture(new() { ["Legacy:SigningSecret"] = $"{Old} {New}" });

        capture.CreateLogger("SyncGateway.Test").LogWarning("Signing with {Current} after {Earlier}", New, Old);

        Assert.DoesNotContain(Old, capture.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(New, capture.Text, StringComparison.Ordinal);
        Assert.Equal("Signing with *** after ***", capture.Events[0].GetProperty("@m").GetString());
    }

    [Fact]
    public void Masks_signatures_in_query_strings_and_credentials_in_URIs_and_JSON()
    {
        using var capture = new LogCapture(Settings);
        var logger = capture.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");

        logger.LogWarning("Request starting {QueryString}", "?SdkAppid=1400000000&RequestTime=1700000000&Sign=9f86d081884c7d659a2feaa0c55ad015");
        logger.LogWarning("GET https://console.tim.qq.com/v4/im_open_login_svc/account_import?usersig=eJyrVgrxCdYrSy1SslIyUt&identifier=admin");
        logger.LogWarning("Connecting to {Broker}", $"amqp://gateway:{RabbitPassword}@rabbit:5672/");
        logger.LogWarning("Redis {Configuration}", "redis:6379,password=redis-pass-123,ssl=true");
        logger.LogWarning("Database Server=db;User Id=gw;Pwd=db-pass-4567;");
        logger.LogWarning("Body {Body}", """{"UserSig":"eJyrVgrx","Text":"hello"}""");

        var text = capture.Text;
        foreach (var secret in new[] { "9f86d081884c7d659a2feaa0c55ad015", "eJyrVgrxCdYrSy1SslIyUt", RabbitPassword, "redis-pass-123", "db-pass-4567", "eJyrVgrx" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
        Assert.Contains("RequestTime=1700000000", text, StringComparison.Ordinal);
        Assert.Contains("identifier=admin", text, StringComparison.Ordinal);
        Assert.Contains("amqp://gateway:***@rabbit:5672/", text, StringComparison.Ordinal);
        Assert.Contains("hello", text, StringComparison.Ordinal);
        Assert.All(capture.Events, e => Assert.Equal(JsonValueKind.Object, e.ValueKind));
    }

    [Fact]
    public void Leaves_ordinary_settings_alone()
    {
        using var capture = new LogCapture(new(Settings) { ["PWD"] = "/app/current/directory" });

        capture.CreateLogger("SyncGateway.Test").LogInformation("Skew {Seconds} s, content root {ContentRoot}", 60, "/app/current/directory");

        Assert.Equal("Skew 60 s, content root /app/current/directory", capture.Events.Single().GetProperty("@m").GetString());
    }
}
