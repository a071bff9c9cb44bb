using System.Text.Json;
using System.Text.Json.Nodes;
using SyncGateway.Im;

namespace SyncGateway.Tests.ToIm;

/// <summary>
/// An <see cref="IImRestClient"/> that records each call's API and JSON body and answers with scripted IM answers
/// (OK by default), classified by the same table as the real client: an OK or already-done code returns the answer,
/// a transient code throws <see cref="ImTransientException"/>, anything else <see cref="ImPermanentException"/>.
/// </summary>
internal sealed class ScriptedImClient : IImRestClient
{
    private const string Ok = """{ "ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": "" }""";

    private readonly Queue<Func<JsonElement>> _answers = new();

    public List<(ImApi Api, JsonNode Body)> Calls { get; } = [];

    /// <summary>Runs when a call arrives, before it is answered: to look at the world as IM would see it.</summary>
    public Func<ImApi, Task>? OnCall { get; set; }

    public ScriptedImClient Answering(params string[] answers)
    {
        foreach (var answer in answers)
        {
            _answers.Enqueue(() => JsonDocument.Parse(answer).RootElement.Clone());
        }
        return this;
    }

    public ScriptedImClient Throwing(Exception exception)
    {
        _answers.Enqueue(() => throw exception);
        return this;
    }

    public async Task<JsonElement> CallAsync(ImApi api, object body, CancellationToken cancellationToken)
    {
        Calls.Add((api, JsonSerializer.SerializeToNode(body, body.GetType())!));
        if (OnCall is not null)
        {
            await OnCall(api);
        }
        var answer = _answers.Count > 0 ? _answers.Dequeue()() : JsonDocument.Parse(Ok).RootElement.Clone();
        var code = answer.TryGetProperty("ErrorCode", out var c) ? c.GetInt32() : 0;
        var info = answer.TryGetProperty("ErrorInfo", out var i) ? i.GetString() ?? "" : "";
        return ImErrorClassification.Classify(code, api).Kind switch
        {
            ImErrorKind.Success or ImErrorKind.AlreadyDone => answer,
            ImErrorKind.Transient => throw new ImTransientException(api, code, info),
            _ => throw new ImPermanentException(api, code, info),
        };
    }
}
