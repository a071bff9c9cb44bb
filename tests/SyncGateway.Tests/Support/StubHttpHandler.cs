using System.Net;

namespace SyncGateway.Tests.Support;

/// <summary>One request as the stub saw it, copied before the sender disposes it.</summary>
internal sealed record RecordedRequest(HttpMethod Method, Uri? Uri, IReadOnlyDictionary<string, string> Headers, string? ContentType, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"no {name} header");
}

/// <summary>Answers each request with the next scripted response (the last one repeats) and records what it was sent.</summary>
internal sealed class StubHttpHandler(params Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[] script) : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests => _requests;

    public static StubHttpHandler Answering(params HttpStatusCode[] statuses)
        => new([.. statuses.Select(s => Respond(s))]);

    public static Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> Respond(HttpStatusCode status, string body = "")
        => (_, _) => Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body) });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        _requests.Add(new RecordedRequest(request.Method, request.RequestUri, headers, request.Content?.Headers.ContentType?.ToString(), body));
        var step = script[Math.Min(_requests.Count - 1, script.Length - 1)];
        return await step(request, cancellationToken);
    }
}
