using System.Globalization;

namespace SyncGateway.Repair;

/// <summary>
/// A file next to the spool that says when this gateway was last alive: written every repair round, removed on a clean
/// stop. Found at start-up, it means the previous process died (a crash, <c>kill -9</c>, an OOM kill) with callbacks
/// in flight, which IM does not send again: its time and the start bound the 1:1 window to repair. It survives what
/// the spool survives (a container restart in the same pod).
/// </summary>
internal sealed class Heartbeat(string path)
{
    public static Heartbeat NextTo(string spoolPath) => new(Path.GetFullPath(spoolPath) + ".alive");

    /// <summary>The last beat of a process that did not stop cleanly; null when the last one did (or none ran here).</summary>
    public DateTimeOffset? Previous()
    {
        try
        {
            return File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
                ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
                : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Beat(DateTimeOffset now)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Written aside and moved over, so a crash mid-write leaves the previous beat, never half a number.
        var next = path + ".next";
        File.WriteAllText(next, now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        File.Move(next, path, overwrite: true);
    }

    public void Clear() => File.Delete(path);
}
