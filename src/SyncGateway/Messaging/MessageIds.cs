using System.Security.Cryptography;
using System.Text;

namespace SyncGateway.Messaging;

internal static class MessageIds
{
    /// <summary>A stable Guid for a string key: transport message ids (a re-published event keeps its identity).</summary>
    public static Guid For(string key) => new(SHA256.HashData(Encoding.UTF8.GetBytes(key)).AsSpan(0, 16));
}
