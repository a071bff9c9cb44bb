using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SyncGateway.Fakes.Import;

/// <summary>How much history <see cref="ImportSampleGenerator"/> writes.</summary>
/// <param name="Accounts">Accounts (<c>u_0</c>…); every account gets a profile and two friends.</param>
/// <param name="C2CMessages">1:1 messages, spread over <c>Accounts / 2</c> conversations.</param>
/// <param name="Groups">Groups (<c>g_0</c>…).</param>
/// <param name="GroupMessages">Group messages, spread over the groups.</param>
/// <param name="MembersPerGroup">Members per group besides the owner.</param>
public sealed record ImportSampleSize(int Accounts, int C2CMessages, int Groups, int GroupMessages, int MembersPerGroup = 5);

/// <summary>
/// Writes a valid import folder (docs/import-format.md) of any size, streaming, with deterministic content:
/// the same size always gives the same files. Message files are sorted by conversation or group, then time.
/// </summary>
public static class ImportSampleGenerator
{
    /// <summary>All generated times are after this instant (Unix seconds, 2020-09-13).</summary>
    public const long Epoch = 1_600_000_000;

    private static readonly int[] FriendSteps = [1, 2];

    public static async Task WriteAsync(string folder, ImportSampleSize size, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(size);
        ArgumentOutOfRangeException.ThrowIfLessThan(size.Accounts, 2);
        Directory.CreateDirectory(folder);
        var members = Math.Min(size.MembersPerGroup, size.Accounts - 1);

        await WriteAsync(folder, "accounts", Range(size.Accounts).Select(i => i % 10 == 0
            ? Line(new { userId = User(i), nick = $"User {i}" })
            : Line(new { userId = User(i) })), cancellationToken);
        await WriteAsync(folder, "profiles", Range(size.Accounts).Select(i =>
            Line(new { userId = User(i), profile = new Dictionary<string, object> { ["Tag_Profile_IM_Gender"] = "Gender_Type_Unknown", ["Tag_Profile_IM_Level"] = i % 100 } })), cancellationToken);
        await WriteAsync(folder, "friends", Range(size.Accounts).SelectMany(i => FriendSteps
            .Select(step => Line(new { from = User(i), to = User((i + step) % size.Accounts), addTime = Epoch }))), cancellationToken);
        await WriteAsync(folder, "groups", Range(size.Groups).Select(g =>
            Line(new { groupId = Group(g), type = "Public", name = $"Group {g}", owner = User(g % size.Accounts), createTime = Epoch })), cancellationToken);
        await WriteAsync(folder, "group-members", Range(size.Groups).SelectMany(g => Range(members)
            .Select(m => Line(new { groupId = Group(g), userId = User((g + 1 + m) % size.Accounts), joinTime = Epoch + 60 }))), cancellationToken);

        var conversations = Math.Max(1, size.Accounts / 2);
        await WriteAsync(folder, "c2c-messages", Range(conversations).SelectMany(c => Range(Share(size.C2CMessages, conversations, c))
            .Select(n => Line(new
            {
                id = $"c2c-{c}-{n}",
                from = User(2 * c + (n % 2)),
                to = User(2 * c + 1 - (n % 2)),
                time = Epoch + 3600 + n,
                body = Text($"message {n} of conversation {c}"),
            }))), cancellationToken);
        await WriteAsync(folder, "c2c-read-marks", Range(conversations).Select(c =>
            Line(new { userId = User(2 * c + 1), peer = User(2 * c), readTime = Epoch + 3600 + Share(size.C2CMessages, conversations, c) })), cancellationToken);

        var groups = Math.Max(1, size.Groups);
        await WriteAsync(folder, "group-messages", Range(size.Groups).SelectMany(g => Range(Share(size.GroupMessages, groups, g))
            .Select(n => Line(new
            {
                id = $"grp-{g}-{n}",
                groupId = Group(g),
                from = User((g + n) % size.Accounts),
                time = Epoch + 7200 + n,
                body = Text($"message {n} of group {g}"),
            }))), cancellationToken);
        await WriteAsync(folder, "group-unread", Range(size.Groups).Select(g =>
            Line(new { groupId = Group(g), userId = User((g + 1) % size.Accounts), unreadMsgNum = 1 })), cancellationToken);
    }

    private static async Task WriteAsync(string folder, string phase, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(Path.Combine(folder, phase + ".jsonl"), append: false, new UTF8Encoding(false), 1 << 16);
        foreach (var line in lines)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await writer.WriteLineAsync(line);
        }
    }

    private static IEnumerable<int> Range(int count) => Enumerable.Range(0, Math.Max(0, count));

    // Messages spread evenly: the first (total % parts) parts get one more.
    private static int Share(int total, int parts, int part) => (total / parts) + (part < total % parts ? 1 : 0);

    private static string User(int i) => "u_" + i.ToString(CultureInfo.InvariantCulture);

    private static string Group(int g) => "g_" + g.ToString(CultureInfo.InvariantCulture);

    private static object[] Text(string text) => [new { msgType = "TIMTextElem", msgContent = new { Text = text } }];

    private static string Line(object value) => JsonSerializer.Serialize(value);
}
