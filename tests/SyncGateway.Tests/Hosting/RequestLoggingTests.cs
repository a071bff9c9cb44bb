using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;
using OpenTelemetry;
using OpenTelemetry.Trace;
using SyncGateway.Fakes.Telemetry;
using SyncGateway.Hosting;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Hosting;

[Collection(GlobalActivityListeners.Name)]
public sealed class RequestLoggingTests
{
    private const string Sign = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    [Fact]
    public async Task Logs_method_path_status_and_elapsed_time_but_never_the_query_string()
    {
        using var logs = new LogCapture();
        await using var app = await Start(logs, exporter: null);

        using var response = await app.GetTestClient().PostAsync(
            new Uri($"/im/callbacks?SdkAppid=1400000000&CallbackCommand=C2C.CallbackAfterSendMsg&RequestTime=1700000000&Sign={Sign}", UriKind.Relative),
            new StringContent("{}"));

        var line = await logs.WaitForAsync(e => e.GetProperty("@m").GetString()!.StartsWith("HTTP POST", StringComparison.Ordinal));
        Assert.Equal("POST", line.GetProperty("RequestMethod").GetString());
        Assert.Equal("/im/callbacks", line.GetProperty("RequestPath").GetString());
        Assert.Equal(202, line.GetProperty("StatusCode").GetInt32());
        Assert.True(line.GetProperty("Elapsed").GetDouble() >= 0);
        Assert.Equal("Information", line.GetProperty("@l").GetString());
        Assert.DoesNotContain(Sign, logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("CallbackCommand", logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_a_failed_request_as_a_500_warning()
    {
        using var logs = new LogCapture();
        await using var app = await Start(logs, exporter: null);

        await Assert.ThrowsAnyAsync<Exception>(() => app.GetTestClient().GetAsync(new Uri("/fails", UriKind.Relative)));

        var line = await logs.WaitForAsync(e => e.TryGetProperty("RequestPath", out var path) && path.GetString() == "/fails");
        Assert.Equal(500, line.GetProperty("StatusCode").GetInt32());
        Assert.Equal("Warning", line.GetProperty("@l").GetString());
    }

    [Fact]
    public async Task Traces_requests_as_named_server_spans_with_their_ids_on_the_log_line_and_leaves_health_probes_out()
    {
        using var logs = new LogCapture();
        using var exporter = new CollectingExporter();
        await using var app = await Start(logs, exporter);
        var client = app.GetTestClient();

        using (await client.GetAsync(new Uri("/health/live", UriKind.Relative))) { }
        using (await client.PostAsync(new Uri("/im/callbacks", UriKind.Relative), new StringContent("{}"))) { }

        var server = await exporter.WaitForAsync(a => a.Kind == ActivityKind.Server && a.OperationName.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        // Other tests run in parallel and also write SyncGateway spans: take ours by its trace.
        var own = await exporter.WaitForAsync(a => a.Source.Name == SyncTelemetry.Name && a.TraceId == server.TraceId, TimeSpan.FromSeconds(10));
        Assert.Equal(server.SpanId, own.ParentSpanId);
        Assert.Equal("POST /im/callbacks", server.DisplayName);
        Assert.Equal("POST", server.GetTagItem("http.request.method"));
        Assert.Equal("/im/callbacks", server.GetTagItem("http.route"));
        Assert.Equal(202, server.GetTagItem("http.response.status_code"));
        var line = await logs.WaitForAsync(e => e.TryGetProperty("RequestPath", out var path) && path.GetString() == "/im/callbacks");
        Assert.Equal(server.TraceId.ToHexString(), line.GetProperty("@tr").GetString());
        await app.StopAsync();
        Assert.Single(exporter.Exported, a => a.Kind == ActivityKind.Server);
    }

    private static Task<WebApplication> Start(LogCapture logs, CollectingExporter? exporter)
    {
        var store = Substitute.For<IKeyValueStore>();
        store.PingAsync(Arg.Any<CancellationToken>()).Returns(true);
        return TestWebHost.StartAsync(
            logs,
            builder =>
            {
                builder.Services.AddSingleton(store);
                if (exporter is not null)
                {
                    builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(new SimpleActivityExportProcessor(exporter)));
                }
            },
            app =>
            {
                app.MapPost("/im/callbacks", () =>
                {
                    using var activity = SyncTelemetry.Source.StartActivity("im.callback");
                    return TypedResults.Accepted((string?)null);
                });
                app.MapGet("/fails", IResult () => throw new InvalidOperationException("handler failed"));
            });
    }
}
