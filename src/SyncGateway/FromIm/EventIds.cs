using System.Security.Cryptography;
using System.Text;

namespace SyncGateway.FromIm;

/// <summary>
/// Deterministic CloudEvent ids for IM events: the same IM event delivered twice yields the same id, so it is
/// relayed once. Built from IM's natural keys (<c>MsgKey</c>, group + <c>MsgSeq</c>, group + <c>EventTime</c>), never from arrival time.
/// </summary>
internal static class EventIds
{
    public static string For(params ReadOnlySpan<string?> naturalKey)
    {
        var joined = string.Join('\u001f', naturalKey.ToArray());
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(joined));
        return "im-" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
