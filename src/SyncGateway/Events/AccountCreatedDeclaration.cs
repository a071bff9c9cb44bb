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
    // IM's limit for a UserID.
    private const int MaxUserIdBytes = 32;

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
        if (problems.Require(data.UserId, "data.userId"))
        {
            problems.MaxBytes(data.UserId, "data.userId", MaxUserIdBytes, "IM's limit for a UserID");
        }
        problems.MaxBytes(data.Nick, "data.nick", ImProfileTags.MaxValueBytes, "IM's limit for a profile value");
        problems.MaxBytes(data.FaceUrl, "data.faceUrl", ImProfileTags.MaxValueBytes, "IM's limit for a profile value");
    }

    protected override LegacyAccountCreated NewLegacyEvent(EventMeta meta, AccountCreatedData data) => new(meta, data);
}
