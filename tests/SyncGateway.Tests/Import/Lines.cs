namespace SyncGateway.Tests.Import;

/// <summary>Input lines in the documented format (docs/import-format.md).</summary>
internal static class Lines
{
    public const long Day = 86_400;
    public const long Created = 1_600_000_000;

    public static string Account(string user) => $$"""{"userId":"{{user}}"}""";

    public static string AccountWithNick(string user, string nick) => $$"""{"userId":"{{user}}","nick":"{{nick}}"}""";

    public static string Profile(string user) => $$$"""{"userId":"{{{user}}}","profile":{"Tag_Profile_IM_Gender":"Gender_Type_Female","Tag_Profile_IM_BirthDay":19900421}}""";

    public static string Friend(string from, string to) => $$"""{"from":"{{from}}","to":"{{to}}","addTime":{{Created}}}""";

    public static string Group(string group, long created = Created, string owner = "u0") =>
        $$"""{"groupId":"{{group}}","type":"Public","name":"Group {{group}}","owner":"{{owner}}","createTime":{{created}}}""";

    public static string Member(string group, string user, long joined = Created + Day) =>
        $$"""{"groupId":"{{group}}","userId":"{{user}}","joinTime":{{joined}}}""";

    public static string C2C(string id, string from, string to, long time, string text = "hi") =>
        $$$"""{"id":"{{{id}}}","from":"{{{from}}}","to":"{{{to}}}","time":{{{time}}},"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"{{{text}}}"}}]}""";

    public static string ReadMark(string user, string peer, long time) => $$"""{"userId":"{{user}}","peer":"{{peer}}","readTime":{{time}}}""";

    public static string GroupMessage(string id, string group, string from, long time, string text = "hi") =>
        $$$"""{"id":"{{{id}}}","groupId":"{{{group}}}","from":"{{{from}}}","time":{{{time}}},"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"{{{text}}}"}}]}""";

    public static string Unread(string group, string user, int count) => $$"""{"groupId":"{{group}}","userId":"{{user}}","unreadMsgNum":{{count}}}""";
}
