using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SyncGateway.Fakes;

/// <summary>
/// What a legacy system does to report its deltas: POSTs CloudEvents to the gateway's <c>/legacy/events</c>,
/// signed per Standard Webhooks with the ingress secret. Given several space-separated secrets (a legacy system in the
/// middle of a key rotation) it signs with each, one signature per secret in the header.
/// </summary>
public sealed class LegacyDeltaSender(HttpClient http, Uri ingressUrl, string ingressSecret)
{
    private readonly byte[][] _keys = [.. ingressSecret.Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(secret => Convert.FromBase64String(secret["whsec_".Length..]))];

    /// <summary>A <c>legacy.*</c> CloudEvent with the given data (same shape as the matching <c>im.*</c> data).</summary>
    public static JsonObject Delta(string type, string id, JsonNode data, string? syncOrigin = null)
    {
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = "/fake-legacy",
            ["type"] = type,
            ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["data"] = data,
        };
        if (syncOrigin is not null)
        {
            cloudEvent["syncorigin"] = syncOrigin;
        }
        return cloudEvent;
    }

    /// <summary>Posts one event, or several as a batch; returns the gateway's answer.</summary>
    public async Task<HttpResponseMessage> SendAsync(params JsonObject[] events)
    {
        var batch = events.Length != 1;
        var body = Encoding.UTF8.GetBytes(batch ? new JsonArray([.. events.Select(e => e.DeepClone())]).ToJsonString() : events[0].ToJsonString());
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(batch ? "application/cloudevents-batch+json" : "application/cloudevents+json");
        using var request = new HttpRequestMessage(HttpMethod.Post, ingressUrl) { Content = content };
        var id = "msg_" + Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", string.Join(' ', _keys.Select(key => "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed)))));
        return await http.SendAsync(request);
    }
}
