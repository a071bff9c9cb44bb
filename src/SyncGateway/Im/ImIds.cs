using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SyncGateway.Im;

/// <summary>
/// Deterministic IM idempotency keys. The history import and the live sync derive <c>MsgRandom</c> (1:1) and
/// <c>Random</c> (group) from the legacy message id the same way, so a re-run or a late live event carries the
/// same key and IM's duplicate check (same sender, receiver or group, and random within its window) absorbs it.
/// </summary>
internal static class ImIds
{
    /// <summary>The first 4 bytes of SHA-256 over the UTF-8 id, read big-endian as a uint32.</summary>
    public static uint RandomFor(string legacyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(legacyId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(legacyId), hash);
        return BinaryPrimitives.ReadUInt32BigEndian(hash);
    }
}
