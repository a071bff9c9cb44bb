using System.Text.Json;
using System.Text.Json.Serialization;

namespace SyncGateway.Import;

/// <summary>
/// Appends one JSON line per rejected input line: where it came from, the line itself, and why
/// (the IM API with its error code and message, or <c>api: null</c> for a line that failed validation).
/// The file is created on the first reject and flushed after each batch, before the batch is checkpointed.
/// </summary>
internal sealed class RejectsWriter(string? path) : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    private readonly SemaphoreSlim _gate = new(1, 1);
    private StreamWriter? _writer;

    public string? Path => path;

    public async Task WriteAsync(IReadOnlyList<RejectRecord> records)
    {
        if (path is null || records.Count == 0)
        {
            return;
        }
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            _writer ??= new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read));
            foreach (var record in records)
            {
                await _writer.WriteLineAsync(JsonSerializer.Serialize(record, Json));
            }
            await _writer.FlushAsync(CancellationToken.None);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }
        _gate.Dispose();
    }
}

/// <summary>One line of the rejects file.</summary>
/// <param name="File">Input file name.</param>
/// <param name="Line">1-based line number in that file.</param>
/// <param name="Api">The IM API that refused the item (<c>service/command</c>), or null for invalid input.</param>
/// <param name="ErrorCode">IM's error code (whole call or per item), when IM gave one.</param>
/// <param name="ErrorInfo">IM's error message, or the validation problem.</param>
/// <param name="Input">The input line: its JSON when it parses, otherwise the raw text.</param>
internal sealed record RejectRecord(string File, long Line, string? Api, int? ErrorCode, string ErrorInfo, JsonElement Input)
{
    public static RejectRecord For(InputLine line, string? api, int? errorCode, string errorInfo)
        => new(line.File, line.Number, api, errorCode, errorInfo, InputOf(line.Text));

    private static JsonElement InputOf(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }
}
