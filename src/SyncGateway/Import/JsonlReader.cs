using System.Runtime.CompilerServices;

namespace SyncGateway.Import;

/// <summary>Streams a JSONL file line by line (flat memory at any size), numbering lines from 1 and skipping blank ones.</summary>
internal static class JsonlReader
{
    private const int BufferSize = 1 << 16;

    public static async IAsyncEnumerable<InputLine> ReadAsync(
        string path,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        Action<long>? bytesRead = null)
    {
        var name = Path.GetFileName(path);
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan | FileOptions.Asynchronous);
        using var reader = new StreamReader(stream, detectEncodingFromByteOrderMarks: true, bufferSize: BufferSize);
        long number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            bytesRead?.Invoke(stream.Position);
            yield return new InputLine(name, number, text);
        }
        bytesRead?.Invoke(stream.Length);
    }
}
