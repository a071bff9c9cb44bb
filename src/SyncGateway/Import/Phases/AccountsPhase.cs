using System.Text.Json;
using System.Text.Json.Serialization;
using SyncGateway.Im;

namespace SyncGateway.Import.Phases;

internal sealed record AccountLine(string UserId, string? Nick, string? FaceUrl);

/// <summary>
/// <c>accounts.jsonl</c>: plain accounts go in batches through <c>multiaccount_import</c>; an account with a nick or
/// avatar goes alone through <c>account_import</c>, which sets them.
/// </summary>
internal sealed class AccountsPhase : ImportPhase<AccountLine>
{
    private readonly BatchRoute<AccountLine> _batch;
    private readonly BatchRoute<AccountLine> _single;

    public AccountsPhase(ImportContext context)
        : base(context)
    {
        _batch = new BatchRoute<AccountLine>
        {
            Api = ImApi.MultiAccountImport,
            MaxItems = Options.AccountBatchSize,
            Body = items => new MultiAccountImportRequest(items.Select(item => item.UserId).ToList()),
            Failures = FailedAccounts,
        };
        _single = new BatchRoute<AccountLine>
        {
            Api = ImApi.AccountImport,
            MaxItems = 1,
            Body = items => new AccountImportRequest(items[0].UserId, items[0].Nick, items[0].FaceUrl),
        };
        Routes = [_batch, _single];
    }

    public override string Name => ImportPhases.Accounts;

    public override IReadOnlyList<BatchRoute<AccountLine>> Routes { get; }

    public override AccountLine Parse(JsonElement line)
        => new(
            LineFields.RequiredUserId(line, "userId"),
            LineFields.OptionalString(line, "nick"),
            LineFields.OptionalString(line, "faceUrl"));

    public override BatchRoute<AccountLine> RouteOf(AccountLine item)
        => item.Nick is null && item.FaceUrl is null ? _batch : _single;

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

    private sealed record MultiAccountImportRequest(
        [property: JsonPropertyName("Accounts")] IReadOnlyList<string> Accounts);

    private sealed record AccountImportRequest(
        [property: JsonPropertyName("UserID")] string UserId,
        [property: JsonPropertyName("Nick"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Nick,
        [property: JsonPropertyName("FaceUrl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FaceUrl);
}
