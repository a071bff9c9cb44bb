using System.Buffers;

namespace SyncGateway.Hosting;

/// <summary>
/// A request body read into a buffer rented from the shared pool and given back when the response is done, so bursts
/// of large bodies do not leave large-object-heap arrays behind.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    // A pool of our own keeps at most a few buffers of each size: the shared pool keeps up to 32 per size and core,
    // which after a burst of 1 MiB bodies is memory that never comes back.
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(maxArrayLength: 64 * 1024 * 1024, maxArraysPerBucket: 8);

    private byte[]? _buffer;
    private int _length;

    private RequestBody(int capacity) => _buffer = Buffers.Rent(capacity);

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Reads the whole body, or returns null as soon as it exceeds <paramref name="maxBytes"/>. The body lives until
    /// the response completes: what outlives the request must copy from it.
    /// </summary>
    public static async Task<RequestBody?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        IdleMemoryTrim.NoteWork();
        if (request.ContentLength > maxBytes)
        {
            return null;
        }
        var body = new RequestBody((int)Math.Clamp(request.ContentLength ?? 4096, 1, maxBytes));
        request.HttpContext.Response.RegisterForDispose(body);
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var sequence = result.Buffer;
            if (body._length + sequence.Length > maxBytes)
            {
                reader.AdvanceTo(sequence.End);
                return null;
            }
            body.Append(sequence);
            reader.AdvanceTo(sequence.End);
            if (result.IsCompleted)
            {
                return body;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            Buffers.Return(buffer);
        }
    }

    private void Append(ReadOnlySequence<byte> sequence)
    {
        var needed = _length + (int)sequence.Length;
        if (needed > _buffer!.Length)
        {
            var larger = Buffers.Rent(Math.Max(needed, _buffer.Length * 2));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            Buffers.Return(_buffer);
            _buffer = larger;
        }
        sequence.CopyTo(_buffer.AsSpan(_length));
        _length = needed;
    }
}
