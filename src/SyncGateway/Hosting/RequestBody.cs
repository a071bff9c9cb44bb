using System.Buffers;

namespace SyncGateway.Hosting;

internal static class RequestBody
{
    /// <summary>Reads the whole body, or returns null as soon as it exceeds <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 4096, maxBytes));
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var sequence = result.Buffer;
            if (buffer.WrittenCount + sequence.Length > maxBytes)
            {
                reader.AdvanceTo(sequence.End);
                return null;
            }
            foreach (var segment in sequence)
            {
                buffer.Write(segment.Span);
            }
            reader.AdvanceTo(sequence.End);
            if (result.IsCompleted)
            {
                return buffer.WrittenSpan.ToArray();
            }
        }
    }
}
