using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Im;
using SyncGateway.Messaging;

namespace SyncGateway.Import.Phases;

internal sealed record AccountLine(
    [property: JsonPropertyName("UserID")] string UserId,
    [property: JsonPropertyName("Nick"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Nick,
    [property: JsonPropertyName("FaceUrl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FaceUrl);

/// <summary>
/// <c>accounts.jsonl</c>: accounts go 100 per call through <c>multiaccount_import</c>'s <c>AccountList</c> form, which
/// sets nick and avatar too. With <see cref="ImportOptions.AccountListForm"/> off, plain accounts go through its
/// <c>Accounts</c> form and an account with a nick or avatar goes alone through <c>account_import</c>.
/// </summary>
internal sealed class AccountsPhase : ImportPhase<AccountLine>
{
    private readonly BatchRoute<AccountLine> _list;
    private readonly BatchRoute<AccountLine> _plain;
    private readonly BatchRoute<AccountLine> _single;

    public AccountsPhase(ImportContext context)
        : base(context)
    {
        _list = new BatchRoute<AccountLine>
        {
            Api = ImApi.MultiAccountImport,
            MaxItems = Options.AccountBatchSize,
            Body = items => new AccountListRequest(items),
            Failures = FailedAccounts,
            ImEchoes = ProfileEchoes,
        };
        _plain = new BatchRoute<AccountLine>
        {
            Api = ImApi.MultiAccountImport,
            MaxItems = Options.AccountBatchSize,
            Body = items => new AccountsRequest(items.Select(item => item.UserId).ToList()),
            Failures = FailedAccounts,
        };
        _single = new BatchRoute<AccountLine>
        {
            Api = ImApi.AccountImport,
            MaxItems = 1,
            Body = items => items[0],
            ImEchoes = ProfileEchoes,
        };
        Routes = Options.AccountListForm ? [_list] : [_plain, _single];
    }

    public override string Name => ImportPhases.Accounts;

    // Whether an import with a nick or avatar raises IM's profile callback is not documented: tagged in case it does.
    private static IEnumerable<(string Conversation, string Part)> ProfileEchoes(IReadOnlyList<AccountLine> items)
        => items.Where(a => a.Nick is not null || a.FaceUrl is not null)
            .SelectMany(a => ProfileChangedDeclaration.EchoParts(new ProfileChangedData(a.UserId, a.Nick, a.FaceUrl)).Select(part => (Conversations.User(a.UserId), part)));

    public override IReadOnlyList<BatchRoute<AccountLine>> Routes { get; }

    public override AccountLine Parse(JsonElement line)
        => new(
            LineFields.RequiredUserId(line, "userId"),
            ProfileValue(line, "nick"),
            ProfileValue(line, "faceUrl"));

    public override BatchRoute<AccountLine> RouteOf(AccountLine item)
        => Options.AccountListForm ? _list
            : item.Nick is null && item.FaceUrl is null ? _plain
            : _single;

    // Nick and FaceUrl become profile fields, which IM caps at 500 bytes; in a batch one bad value could fail all 100.
    private static string? ProfileValue(JsonElement line, string name)
    {
        var value = LineFields.OptionalString(line, name);
        return value is null || Encoding.UTF8.GetByteCount(value) <= ImProfileTags.MaxValueBytes
            ? value
            : throw new ImportInputException($"field \"{name}\" is longer than IM's {ImProfileTags.MaxValueBytes}-byte profile value limit");
    }

    private static IEnumerable<ItemFailure> FailedAccounts(JsonElement response, IReadOnlyList<AccountLine> items)
    {
        if (!response.TryGetProperty("FailAccounts", out var failed) || failed.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }
        var names = failed.EnumerateArray().Select(name => name.GetString()).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (names.Contains(items[i].UserId))
            {
                yield return new ItemFailure(i, null, "listed in FailAccounts");
            }
        }
    }

    private sealed record AccountListRequest(
        [property: JsonPropertyName("AccountList")] IReadOnlyList<AccountLine> AccountList);

    private sealed record AccountsRequest(
        [property: JsonPropertyName("Accounts")] IReadOnlyList<string> Accounts);
}
