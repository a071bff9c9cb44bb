using SyncGateway.Import.Phases;

namespace SyncGateway.Import;

/// <summary>The phases in dependency order (IM refuses what names an account or group it does not have yet): accounts first, unread counts last.</summary>
internal static class ImportPhases
{
    public const string Accounts = "accounts";
    public const string Profiles = "profiles";
    public const string Friends = "friends";
    public const string Groups = "groups";
    public const string GroupMembers = "group-members";
    public const string C2CMessages = "c2c-messages";
    public const string C2CReadMarks = "c2c-read-marks";
    public const string GroupMessages = "group-messages";
    public const string GroupUnread = "group-unread";

    public static IReadOnlyList<string> Names { get; } =
        [Accounts, Profiles, Friends, Groups, GroupMembers, C2CMessages, C2CReadMarks, GroupMessages, GroupUnread];

    public static string FileName(string phase) => phase + ".jsonl";

    public static IImportPhase Create(string phase, ImportContext context) => phase switch
    {
        Accounts => new AccountsPhase(context),
        Profiles => new ProfilesPhase(context),
        Friends => new FriendsPhase(context),
        Groups => new GroupsPhase(context),
        GroupMembers => new GroupMembersPhase(context),
        C2CMessages => new C2CMessagesPhase(context),
        C2CReadMarks => new C2CReadMarksPhase(context),
        GroupMessages => new GroupMessagesPhase(context),
        GroupUnread => new GroupUnreadPhase(context),
        _ => throw new ArgumentOutOfRangeException(nameof(phase), phase, "unknown import phase"),
    };
}
