using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using SyncGateway.Fakes;

namespace SyncGateway.Benchmarks.Load;

/// <summary>
/// A legacy system posting deltas to the gateway: new messages (mostly 1:1, some in a fixed set of groups it creates
/// first) and echoes of what the gateway relayed to it.
/// </summary>
internal sealed class LegacyDeltaTraffic(HttpClient http, string ingressSecret, int groups)
{
    private readonly LegacyDeltaSender _sender = new(http, new Uri(http.BaseAddress!, "/legacy/events"), ingressSecret);
    private readonly string _run = Guid.NewGuid().ToString("N")[..8];

    public static string GroupId(long k) => "lg_grp_" + k.ToString(CultureInfo.InvariantCulture);

    /// <summary>Creates group <paramref name="k"/> with a few members (before messages are sent to it).</summary>
    public Task<bool> CreateGroupAsync(long k)
        => PostAsync(LegacyDeltaSender.Delta("legacy.group.created", $"bench-{_run}-grp-{k}",
            JsonNode.Parse($$"""{"groupId":"{{GroupId(k)}}","type":"Public","name":"Legacy room {{k}}","owner":"u_5000","members":["u_5001","u_5002"]}""")!));

    /// <summary>Message <paramref name="n"/>: 4 in 5 are 1:1, the rest go to one of the groups.</summary>
    public Task<bool> SendMessageAsync(long n)
    {
        var user = n % 1000;
        var body = $$$"""[{"msgType":"TIMTextElem","msgContent":{"Text":{{{ImCallbackTraffic.Text(n)}}}}}]""";
        var id = $"bench-{_run}-{n}";
        return PostAsync(n % 5 == 4
            ? LegacyDeltaSender.Delta("legacy.group.message.sent", id, JsonNode.Parse($$"""{"groupId":"{{GroupId(n % groups)}}","from":"u_{{5000 + user}}","body":{{body}}}""")!)
            : LegacyDeltaSender.Delta("legacy.c2c.message.sent", id, JsonNode.Parse($$"""{"from":"u_{{5000 + user}}","to":"u_{{6000 + user}}","body":{{body}}}""")!));
    }

    /// <summary>Posts back what legacy received, as its own delta; with or without naming the relayed event in <c>syncorigin</c>.</summary>
    public Task<bool> EchoAsync(ReceivedCloudEvent received, bool withSyncOrigin)
        => PostAsync(LegacyDeltaSender.Delta("legacy." + received.Type["im.".Length..], "echo-" + received.Id,
            JsonNode.Parse(received.Data.GetRawText())!, withSyncOrigin ? received.Id : null));

    private async Task<bool> PostAsync(JsonObject delta)
    {
        using var response = await _sender.SendAsync(delta);
        return response.StatusCode == HttpStatusCode.Accepted;
    }
}
