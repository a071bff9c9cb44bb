using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Im;

namespace SyncGateway.Tests.Import;

/// <summary>One call the import made, with its body as IM would receive it.</summary>
internal sealed record RecordedCall(int Sequence, ImApi Api, JsonElement Body)
{
    public string? Str(string name) => Body.TryGetProperty(name, out var value) ? value.GetString() : null;

    public JsonElement.ArrayEnumerator Array(string name) => Body.GetProperty(name).EnumerateArray();
}

/// <summary>
/// A hand-written <see cref="IImRestClient"/>: records every call and answers OK, unless <see cref="Answer"/> says
/// otherwise (return an answer, or throw the client's exceptions).
/// </summary>
internal sealed class RecordingImClient : IImRestClient
{
    // As the real client sends them: names from [JsonPropertyName], nulls left out.
    private static readonly JsonSerializerOptions Wire = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private static readonly JsonElement Ok = JsonDocument.Parse("""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}""").RootElement;

    private readonly ConcurrentQueue<RecordedCall> _calls = new();
    private int _sequence;

    public Func<RecordedCall, JsonElement?>? Answer { get; set; }

    /// <summary>Runs inside each call before it answers (to stop a run, or to watch concurrency).</summary>
    public Func<RecordedCall, Task>? During { get; set; }

    public IReadOnlyList<RecordedCall> Calls => _calls.OrderBy(call => call.Sequence).ToList();

    public IReadOnlyList<RecordedCall> CallsTo(ImApi api) => Calls.Where(call => call.Api == api).ToList();

    public async Task<JsonElement> CallAsync(ImApi api, object body, CancellationToken cancellationToken)
    {
        var call = new RecordedCall(Interlocked.Increment(ref _sequence), api, JsonSerializer.SerializeToElement(body, body.GetType(), Wire));
        _calls.Enqueue(call);
        if (During is not null)
        {
            await During(call);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return Answer?.Invoke(call) ?? Ok;
    }

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();
}
