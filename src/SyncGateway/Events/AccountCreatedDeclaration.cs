using System.Text;
using SyncGateway.Contracts;
using SyncGateway.FromLegacy;
using SyncGateway.Im;
using SyncGateway.Messaging;
using SyncGateway.ToIm;

namespace SyncGateway.Events;

/// <summary>
/// A user account created on the legacy side: <c>legacy.account.created</c> → <c>im_open_login_svc/account_import</c>.
/// Legacy → IM only: IM reports no account events (no callback exists for an account import or deletion).
/// </summary>
internal sealed class AccountCreatedDeclaration()
    : LegacyEventDeclaration<AccountCreatedData, LegacyAccountCreated>(EventTypes.LegacyAccountCreated)
{
    // IM's limits: a UserID of at most 32 bytes, a profile value (nick, avatar URL) of at most 500 bytes.
    private const int MaxUserIdBytes = 32;
    private const int MaxProfileValueBytes = 500;

    public override string Conversation(AccountCreatedData data) => Conversations.User(data.UserId);

    // account_import raises no IM callback, so there is no echo to expect or suppress. Whether its Nick and FaceUrl
    // raise Profile.CallbackPortraitSet is not documented; the gateway does not relay that callback.
    public override IReadOnlyList<string> ImEchoParts(AccountCreatedData data) => [];

    // Nothing about accounts is relayed to legacy, so no legacy delta can be the echo of one.
    public override IReadOnlyList<string> LegacyEchoParts(AccountCreatedData data) => [];

    public override ImWritePlan ToIm(EventMeta meta, AccountCreatedData data, ImWriteSettings settings)
        => new([], [new(ImApi.AccountImport, new AccountImportRequest(data.UserId, data.Nick, data.FaceUrl))]);

    protected override void Validate(AccountCreatedData data, DeltaProblems problems)
    {
        if (problems.Require(data.UserId, "data.userId") && Encoding.UTF8.GetByteCount(data.UserId) > MaxUserIdBytes)
        {
            problems.Add("data.userId", $"must be at most {MaxUserIdBytes} bytes (IM's limit for a UserID)");
        }
        ProfileValue(data.Nick, "data.nick", problems);
        ProfileValue(data.FaceUrl, "data.faceUrl", problems);
    }

    protected override LegacyAccountCreated NewLegacyEvent(EventMeta meta, AccountCreatedData data) => new(meta, data);

    private static void ProfileValue(string? value, string field, DeltaProblems problems)
    {
        if (value is not null && Encoding.UTF8.GetByteCount(value) > MaxProfileValueBytes)
        {
            problems.Add(field, $"must be at most {MaxProfileValueBytes} bytes (IM's limit for a profile value)");
        }
    }
}
