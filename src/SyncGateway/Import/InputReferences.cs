using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SyncGateway.Import;

/// <summary>
/// The accounts and groups an input folder defines, for the dry run's check of references between files: a line that
/// names an account <c>accounts.jsonl</c> lacks, or a group <c>groups.jsonl</c> lacks, is reported with its file and
/// line, instead of IM refusing it in the real run. A file the folder lacks is not checked against: its accounts or
/// groups may be in IM already.
/// </summary>
internal sealed class InputReferences(AccountSet? accounts, GroupIndex? groups)
{
    public void CheckAccount(string userId, string field)
    {
        if (accounts is not null && !accounts.Contains(userId))
        {
            throw new ImportInputException($"field \"{field}\" names account \"{userId}\", which {ImportPhases.FileName(ImportPhases.Accounts)} does not have (or has only on an invalid line)");
        }
    }

    public void CheckGroup(string groupId, string field)
    {
        if (groups is not null && groups.Find(groupId) is null)
        {
            throw new ImportInputException($"field \"{field}\" names group \"{groupId}\", which {ImportPhases.FileName(ImportPhases.Groups)} does not have (or has only on an invalid line)");
        }
    }

    /// <summary>Reads the folder's accounts; <paramref name="groups"/> counts only when <c>groups.jsonl</c> exists.</summary>
    public static async Task<InputReferences> LoadAsync(string folder, GroupIndex groups, CancellationToken cancellationToken)
    {
        var accountsPath = Path.Combine(folder, ImportPhases.FileName(ImportPhases.Accounts));
        var groupsPath = Path.Combine(folder, ImportPhases.FileName(ImportPhases.Groups));
        return new InputReferences(
            File.Exists(accountsPath) ? await AccountSet.LoadAsync(accountsPath, cancellationToken) : null,
            File.Exists(groupsPath) ? groups : null);
    }
}

/// <summary>
/// The user ids of <c>accounts.jsonl</c>, kept as 64-bit hashes (the first 8 bytes of SHA-256): about 28 MB per
/// million accounts whatever the ids' length, where a set of the strings took 68 MB for 9-character ids and 116 MB for
/// 32-character ones. A collision could only hide a missing account, at odds of about one in 10^13 per lookup for a
/// million accounts.
/// </summary>
internal sealed class AccountSet
{
    private readonly HashSet<ulong> _hashes = [];

    public void Add(string userId) => _hashes.Add(Hash(userId));

    public bool Contains(string userId) => _hashes.Contains(Hash(userId));

    /// <summary>Reads the accounts file; lines that do not parse are skipped here and reported by the accounts phase.</summary>
    public static async Task<AccountSet> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var set = new AccountSet();
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken))
        {
            try
            {
                using var document = JsonDocument.Parse(line.Text);
                set.Add(LineFields.RequiredUserId(LineFields.RequireObject(document.RootElement), "userId"));
            }
            catch (Exception e) when (e is JsonException or ImportInputException)
            {
            }
        }
        return set;
    }

    private static ulong Hash(string userId)
    {
        var length = Encoding.UTF8.GetByteCount(userId);
        Span<byte> utf8 = length <= 256 ? stackalloc byte[length] : new byte[length];
        Encoding.UTF8.GetBytes(userId, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8, digest);
        return BitConverter.ToUInt64(digest);
    }
}
