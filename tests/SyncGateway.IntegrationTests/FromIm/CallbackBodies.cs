using System.Globalization;

namespace SyncGateway.IntegrationTests.FromIm;

/// <summary>Realistic callback bodies , parameterised where tests need variety.</summary>
internal static class CallbackBodies
{
    public const string C2C = "C2C.CallbackAfterSendMsg";
    public const string GroupCreated = "Group.CallbackAfterCreateGroup";
    public const string GroupDestroyed = "Group.CallbackAfterGroupDestroyed";
    public const string GroupInfoChanged = "Group.CallbackAfterGroupInfoChanged";
    public const string MemberJoined = "Group.CallbackAfterNewMemberJoin";
    public const string MemberExited = "Group.CallbackAfterMemberExit";
    public const string GroupMessage = "Group.CallbackAfterSendMsg";

    public static string C2CMessage(string from, string to, long seq, string text, int sendMsgResult = 0)
    {
        var random = 1850291734L + seq;
        var time = 1736920800L + seq;
        return $$$"""
            {"CallbackCommand":"C2C.CallbackAfterSendMsg","From_Account":"{{{from}}}","To_Account":"{{{to}}}","MsgSeq":{{{seq}}},
             "MsgRandom":{{{random}}},"MsgTime":{{{time}}},"MsgKey":"{{{seq}}}_{{{random}}}_{{{time}}}","OnlineOnlyFlag":0,
             "SendMsgResult":{{{sendMsgResult}}},"ErrorInfo":"send msg succeed","UnreadMsgNum":3,
             "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"{{{text}}}"}},{"MsgType":"TIMFaceElem","MsgContent":{"Index":12,"Data":"smile"}}],
             "CloudCustomData":"{\"app\":\"mobile\"}"}
            """;
    }

    public static string Created(string groupId) => $$"""
        {"CallbackCommand":"Group.CallbackAfterCreateGroup","GroupId":"{{groupId}}","Operator_Account":"u_10086","Owner_Account":"u_10086",
         "Type":"Public","Name":"Weekend hikers","MemberList":[{"Member_Account":"u_20017"},{"Member_Account":"u_30555"}],
         "UserDefinedDataList":[{"Key":"legacy_room","Value":"room-88"}],"EventTime":1736921000456}
        """;

    public static string Destroyed(string groupId) => $$"""
        {"CallbackCommand":"Group.CallbackAfterGroupDestroyed","GroupId":"{{groupId}}","Type":"Public","Owner_Account":"u_10086",
         "Name":"Weekend hikers","MemberList":[{"Member_Account":"u_10086"},{"Member_Account":"u_20017"}],"EventTime":1736990000789}
        """;

    public static string InfoChanged(string groupId) => $$"""
        {"CallbackCommand":"Group.CallbackAfterGroupInfoChanged","GroupId":"{{groupId}}","Type":"Public","Operator_Account":"u_20017",
         "Name":"Weekend hikers 2025","Notification":"Meet at the north gate at 08:00","EventTime":"1736950000001"}
        """;

    public static string Joined(string groupId) => $$"""
        {"CallbackCommand":"Group.CallbackAfterNewMemberJoin","GroupId":"{{groupId}}","Type":"Public","JoinType":"Invited",
         "Operator_Account":"u_10086","NewMemberList":[{"Member_Account":"u_40404"}],"EventTime":1736951000002}
        """;

    public static string Exited(string groupId) => $$"""
        {"CallbackCommand":"Group.CallbackAfterMemberExit","GroupId":"{{groupId}}","Type":"Public","ExitType":"Quit",
         "Operator_Account":"u_30555","ExitMemberList":[{"Member_Account":"u_30555"}],"EventTime":1736952000003}
        """;

    public static string GroupMsg(string groupId, long seq) => $$$"""
        {"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"{{{groupId}}}","Type":"Public","From_Account":"u_20017",
         "Operator_Account":"u_20017","Random":{{{(302115987L + seq).ToString(CultureInfo.InvariantCulture)}}},"MsgSeq":{{{seq}}},"MsgTime":1736953000,"OnlineOnlyFlag":0,
         "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"@all trail is muddy"}},
                    {"MsgType":"TIMLocationElem","MsgContent":{"Desc":"North gate","Latitude":22.5431,"Longitude":114.0579}}],
         "CloudCustomData":"","GroupAtInfo":[{"GroupAtAllFlag":1}],"EventTime":1736953000321}
        """;
}
