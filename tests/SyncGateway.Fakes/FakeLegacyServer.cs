using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SyncGateway.Fakes;

/// <summary>One CloudEvent the fake legacy system accepted, with the webhook headers it came with.</summary>
public sealed record ReceivedCloudEvent(string WebhookId, JsonElement Event, DateTimeOffset ReceivedAt)
{
    public string Id => Event.GetProperty("id").GetString()!;
    public string Type => Event.GetProperty("type").GetString()!;
    public string Subject => Event.GetProperty("subject").GetString()!;
    public JsonElement Data => Event.GetProperty("data");

    /// <summary>A message event's text: its first body element's <c>msgContent.Text</c>.</summary>
    public string MessageText => Data.GetProperty("body")[0].GetProperty("msgContent").GetProperty("Text").GetString()!;
}

/// <summary>
/// A legacy system's event receiver on 127.0.0.1: verifies Standard Webhooks signatures the way a real receiver
/// must, records every accepted event, and answers with scripted statuses to simulate outages. Like a receiver in the
/// middle of a key rotation it may know several secrets, and accepts a request when any signature matches any of them.
/// </summary>
public sealed class FakeLegacyServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[][] _keys;
    private readonly ConcurrentQueue<ReceivedCloudEvent> _received = new();
    private readonly ConcurrentQueue<int> _scriptedStatuses = new();
    private int _attempts;
    private int _accepted;

    private FakeLegacyServer(WebApplication app, byte[][] keys)
    {
        _app = app;
        _keys = keys;
    }

    /// <summary>The URL to configure as <c>Legacy__EventsUrl</c>.</summary>
    public Uri EventsUrl { get; private set; } = null!;

    /// <summary>Every POST that reached the server, accepted or not.</summary>
    public int Attempts => _attempts;

    /// <summary>Events accepted so far, kept in <see cref="Received"/> or not.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>The accepted events (none when <see cref="RetainEvents"/> is off).</summary>
    public IReadOnlyList<ReceivedCloudEvent> Received => [.. _received];

    /// <summary>Keep every accepted event in <see cref="Received"/>. Turn off for long runs and watch <see cref="EventAccepted"/> instead.</summary>
    public bool RetainEvents { get; set; } = true;

    /// <summary>
    /// Called for every accepted event, after it is recorded and before the answer: a simulated legacy system reacts
    /// here, for example by reporting the stored message back as its own delta (the echo the gateway must suppress).
    /// Runs on the request's thread, so it must be quick and thread-safe.
    /// </summary>
    public event Action<ReceivedCloudEvent>? EventAccepted;

    /// <summary>Optional decision per request, evaluated after the scripted statuses: return a status to refuse.</summary>
    public Func<JsonElement, int?>? Responder { get; set; }

    /// <summary>Answers the next requests with these statuses (without recording the event), in order.</summary>
    public void RespondNext(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _scriptedStatuses.Enqueue(status);
        }
    }

    /// <param name="signingSecrets">The <c>whsec_</c> secret the gateway signs with, or several separated by spaces.</param>
    public static async Task<FakeLegacyServer> StartAsync(string signingSecrets)
    {
        var keys = signingSecrets.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(secret => Convert.FromBase64String(secret["whsec_".Length..]))
            .ToArray();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeLegacyServer(app, keys);
        app.MapPost("/events", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.EventsUrl = new Uri(new Uri(address), "/events");
        return server;
    }

    /// <summary>Waits until at least <paramref name="count"/> events were accepted.</summary>
    public async Task<IReadOnlyList<ReceivedCloudEvent>> WaitForAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (Accepted < count)
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"legacy received {Accepted} of {count} events within {timeout}");
            }
            await Task.Delay(20, CancellationToken.None);
        }
        return Received;
    }

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _attempts);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();

        if (!request.ContentType?.StartsWith("application/cloudevents+json", StringComparison.Ordinal) ?? true)
        {
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }
        string id = request.Headers["webhook-id"].ToString();
        string timestamp = request.Headers["webhook-timestamp"].ToString();
        string signature = request.Headers["webhook-signature"].ToString();
        if (!IsAuthentic(id, timestamp, signature, body))
        {
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }
        if (_scriptedStatuses.TryDequeue(out var scripted))
        {
            return Results.StatusCode(scripted);
        }
        var cloudEvent = JsonSerializer.Deserialize<JsonElement>(body);
        if (Responder?.Invoke(cloudEvent) is { } refused)
        {
            return Results.StatusCode(refused);
        }
        var received = new ReceivedCloudEvent(id, cloudEvent, DateTimeOffset.UtcNow);
        if (RetainEvents)
        {
            _received.Enqueue(received);
        }
        EventAccepted?.Invoke(received);
        Interlocked.Increment(ref _accepted);
        return Results.NoContent();
    }

    private bool IsAuthentic(string id, string timestamp, string signature, byte[] body)
    {
        if (id.Length == 0 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }
        var signed = Encoding.UTF8.GetBytes($"{id}.{timestamp}.").Concat(body).ToArray();
        var expected = _keys.Select(key => Encoding.ASCII.GetBytes("v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed)))).ToArray();
        return signature.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(s => expected.Any(e => CryptographicOperations.FixedTimeEquals(e, Encoding.UTF8.GetBytes(s))));
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
