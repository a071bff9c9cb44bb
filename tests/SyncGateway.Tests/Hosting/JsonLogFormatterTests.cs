using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;

// These tests play any caller, libraries included, that logs through the extension methods rather than [LoggerMessage].
#pragma warning disable CA1848, CA1873

namespace SyncGateway.Tests.Hosting;

public sealed class JsonLogFormatterTests
{
    [Fact]
    public void Writes_one_valid_JSON_object_per_line_with_time_level_message_and_properties()
    {
        using var capture = new LogCapture();
        var logger = capture.CreateLogger("SyncGateway.Test");

        logger.LogInformation("Relayed {EventId} to {Target} with \"quotes\"\nand a newline", "e-1", new Uri("https://legacy.example/events"));
        logger.LogWarning("Second line {Count}", 2);

        var events = capture.Events;
        Assert.Equal(2, events.Count);
        Assert.Equal("Information", events[0].GetProperty("@l").GetString());
        Assert.Equal("Relayed e-1 to https://legacy.example/events with \"quotes\"\nand a newline", events[0].GetProperty("@m").GetString());
        Assert.Equal("e-1", events[0].GetProperty("EventId").GetString());
        Assert.Equal("SyncGateway.Test", events[0].GetProperty("SourceContext").GetString());
        Assert.True(DateTimeOffset.TryParse(events[0].GetProperty("@t").GetString(), out _));
        Assert.Equal(2, events[1].GetProperty("Count").GetInt32());
    }

    [Fact]
    public void Carries_the_trace_and_span_id_of_the_current_activity()
    {
        using var capture = new LogCapture();
        var logger = capture.CreateLogger("SyncGateway.Test");
        using var activity = new Activity("relay").SetIdFormat(ActivityIdFormat.W3C).Start();

        logger.LogInformation("inside");
        activity.Stop();
        logger.LogInformation("outside");

        var inside = capture.Events[0];
        Assert.Equal(activity.TraceId.ToHexString(), inside.GetProperty("@tr").GetString());
        Assert.Equal(activity.SpanId.ToHexString(), inside.GetProperty("@sp").GetString());
        Assert.False(capture.Events[1].TryGetProperty("@tr", out _));
    }

    [Fact]
    public void Writes_the_exception()
    {
        using var capture = new LogCapture();

        capture.CreateLogger("SyncGateway.Test").LogError(new InvalidOperationException("boom"), "Failed");

        Assert.Contains("InvalidOperationException: boom", capture.Events[0].GetProperty("@x").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Leaves_out_MassTransits_start_up_line_per_consumer_and_endpoint_and_keeps_its_others()
    {
        using var capture = new LogCapture();
        var logger = capture.CreateLogger("MassTransit");

        logger.LogInformation("Configured endpoint {Endpoint}, Consumer: {ConsumerType}", "relay.im-to-legacy.0", "ImC2CMessageSentConsumer");
        logger.LogInformation("Bus started: {HostAddress}", "rabbitmq://127.0.0.1/");

        Assert.Equal("Bus started: rabbitmq://127.0.0.1/", Assert.Single(capture.Events).GetProperty("@m").GetString());
    }

    [Fact]
    public void Applies_the_default_levels_and_the_Serilog_section_over_them()
    {
        using var defaults = new LogCapture();
        using var configured = new LogCapture(new()
        {
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Information",
            ["Serilog:MinimumLevel:Override:MassTransit"] = "Error",
        });

        foreach (var capture in new[] { defaults, configured })
        {
            capture.CreateLogger("SyncGateway.Test").LogInformation("own info");
            capture.CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").LogInformation("aspnet info");
            capture.CreateLogger("MassTransit.ReceiveTransport").LogInformation("bus info");
            capture.CreateLogger("Polly").LogInformation("attempt info");
        }

        Assert.Equal(["own info", "bus info"], Messages(defaults));
        Assert.Equal(["aspnet info"], Messages(configured));
    }

    private static string[] Messages(LogCapture capture) => [.. capture.Events.Select(e => e.GetProperty("@m").GetString() ?? "")];
}
