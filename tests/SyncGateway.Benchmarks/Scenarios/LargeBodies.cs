using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Benchmarks.Load;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;

namespace SyncGateway.Benchmarks.Scenarios;

/// <param name="Callbacks">Maximum-size callbacks sent.</param>
/// <param name="CallbackBytes">The size of each.</param>
/// <param name="Deltas">Maximum-size deltas sent.</param>
/// <param name="DeltaBytes">The size of each.</param>
/// <param name="Refused">Of those, not answered 2xx.</param>
/// <param name="IdleRss">The gateway's RSS before the burst (after a warm-up with ordinary callbacks).</param>
/// <param name="PeakRss">Its highest RSS during the burst.</param>
/// <param name="SteadyRssAfter">The median of the second half of the samples taken while it idled after the burst.</param>
internal sealed record LargeBodiesResult(int Callbacks, int CallbackBytes, int Deltas, int DeltaBytes, int Refused, long IdleRss, long PeakRss, long SteadyRssAfter);

/// <summary>
/// A burst of maximum-size bodies into both intakes (relay held), then idle: does the gateway's memory come back?
/// The burst is bounded in count, and the held queues are purged after it, so the broker does not keep hundreds of
/// megabytes.
/// </summary>
internal static class LargeBodies
{
    private const int CallbackMaxBytes = 256 * 1024;
    private const int IngressMaxBytes = 1024 * 1024;

    public static async Task<LargeBodiesResult> RunAsync(BenchRig rig, BenchmarkProfile profile, Func<long> next)
    {
        var (callbacks, deltas) = profile.Name == "quick" ? (120, 30) : (400, 100);
        await using var gateway = await rig.StartGatewayAsync("large-bodies", profile.Clients, new Dictionary<string, string> { ["Sync__Paused"] = "true" });
        var traffic = new ImCallbackTraffic(gateway.Http, BenchRig.SdkAppId, BenchRig.CallbackToken);
        await LoadRunner.ClosedLoopAsync(profile.Clients, profile.Warmup, next, (n, _) => traffic.PostAsync(n), null);
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idle = gateway.Process.Memory().Rss;

        var callback = LargeCallback();
        var sender = new LegacyDeltaSender(gateway.Http, new Uri(gateway.Http.BaseAddress!, "/legacy/events"), BenchRig.IngressSecret);
        var peak = idle;
        var refused = 0;
        var sent = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, callbacks + deltas), new ParallelOptions { MaxDegreeOfParallelism = profile.Clients }, async (i, _) =>
        {
            var ok = i % ((callbacks + deltas) / deltas) == 0 && Interlocked.Increment(ref sent) <= deltas
                ? (await sender.SendAsync(LargeDelta($"lg-large-{i}"))).IsSuccessStatusCode
                : await PostCallbackAsync(gateway.Http, callback);
            if (!ok)
            {
                Interlocked.Increment(ref refused);
            }
            Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), gateway.Process.Memory().Rss));
        });
        await PurgeHeldQueuesAsync(gateway);

        var after = new List<long>();
        var until = DateTimeOffset.UtcNow + profile.Measure;
        while (DateTimeOffset.UtcNow < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            after.Add(gateway.Process.Memory().Rss);
        }
        var secondHalf = after.Skip(after.Count / 2).Order().ToArray();
        Console.WriteLine($"  large bodies: idle {idle / (1 << 20)} MB, peak {peak / (1 << 20)} MB, after {secondHalf[secondHalf.Length / 2] / (1 << 20)} MB ({refused} refused)");
        return new LargeBodiesResult(callbacks, callback.Length, deltas, LargeDelta("size").ToJsonString().Length, refused, idle, peak, secondHalf[secondHalf.Length / 2]);
    }

    /// <summary>A 1:1 message callback just under the callback body limit.</summary>
    private static byte[] LargeCallback()
    {
        var (_, body) = ImCallbackTraffic.Build(1);
        var json = JsonNode.Parse(body)!.AsObject();
        json["CallbackCommand"] = "C2C.CallbackAfterSendMsg";
        json["MsgBody"] = new JsonArray(new JsonObject { ["MsgType"] = "TIMTextElem", ["MsgContent"] = new JsonObject { ["Text"] = new string('x', CallbackMaxBytes - 2048) } });
        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
    }

    private static async Task<bool> PostCallbackAsync(HttpClient http, byte[] body)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var uri = new Uri("/im/callbacks?" + ImCallbackSigner.BuildQuery(BenchRig.SdkAppId, "C2C.CallbackAfterSendMsg", "Android", "203.0.113.10", BenchRig.CallbackToken, now), UriKind.Relative);
        using var content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        using var response = await http.PostAsync(uri, content);
        return response.IsSuccessStatusCode;
    }

    /// <summary>A 1:1 message delta just under the ingress body limit.</summary>
    private static JsonObject LargeDelta(string id)
        => LegacyDeltaSender.Delta("legacy.c2c.message.sent", id, new JsonObject
        {
            ["from"] = "u_large_a",
            ["to"] = "u_large_b",
            ["body"] = new JsonArray(new JsonObject { ["msgType"] = "TIMTextElem", ["msgContent"] = new JsonObject { ["Text"] = new string('y', IngressMaxBytes - 4096) } }),
        });

    private static async Task PurgeHeldQueuesAsync(GatewayUnderTest gateway)
    {
        var factory = new ConnectionFactory { Uri = BenchServices.RabbitMqIn(gateway.VirtualHost) };
        await using var connection = await factory.CreateConnectionAsync();
        for (var shard = 0; ; shard++)
        {
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.QueuePurgeAsync($"relay.im-to-legacy.{shard}");
                await channel.QueuePurgeAsync($"relay.legacy-to-im.{shard}");
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                return;
            }
        }
    }
}
