using System.Text;
using System.Text.Json.Nodes;
using SyncGateway.Events;
using SyncGateway.FromIm;

namespace SyncGateway.Tests.FromIm;

/// <summary>The example bodies of IM's callback pages, one per command, and helpers to vary them.</summary>
internal static class CallbackSamples
{
    public const long SdkAppId = 1400123456;

    public static readonly DateTimeOffset ReceivedAt = new(2025, 1, 20, 9, 30, 0, TimeSpan.Zero);

    public const string C2CMessage = """
        {
          "CallbackCommand": "C2C.CallbackAfterSendMsg",
          "From_Account": "u_10086",
          "To_Account": "u_20017",
          "MsgSeq": 517364,
          "MsgRandom": 1850291734,
          "MsgTime": 1736920800,
          "MsgKey": "517364_1850291734_1736920800",
          "MsgId": "144115212345678901-1736920800-1850291734",
          "OnlineOnlyFlag": 0,
          "SendMsgResult": 0,
          "ErrorInfo": "send msg succeed",
          "UnreadMsgNum": 3,
          "MsgBody": [
            { "MsgType": "TIMTextElem", "MsgContent": { "Text": "See you at 7?" } },
            { "MsgType": "TIMFaceElem", "MsgContent": { "Index": 12, "Data": "smile" } }
          ],
          "CloudCustomData": "{\"app\":\"mobile\"}",
          "EventTime": 1736920800123
        }
        """;

    public const string GroupCreated = """
        {
          "CallbackCommand": "Group.CallbackAfterCreateGroup",
          "GroupId": "@TGS#2KDFJ3ASL",
          "Operator_Account": "u_10086",
          "Owner_Account": "u_10086",
          "Type": "Public",
          "Name": "Weekend hikers",
          "MemberList": [
            { "Member_Account": "u_20017" },
            { "Member_Account": "u_30555" }
          ],
          "UserDefinedDataList": [ { "Key": "legacy_room", "Value": "room-88" } ],
          "EventTime": 1736921000456
        }
        """;

    public const string GroupDestroyed = """
        {
          "CallbackCommand": "Group.CallbackAfterGroupDestroyed",
          "GroupId": "@TGS#2KDFJ3ASL",
          "Type": "Public",
          "Owner_Account": "u_10086",
          "Name": "Weekend hikers",
          "MemberList": [
            { "Member_Account": "u_10086" },
            { "Member_Account": "u_20017" },
            { "Member_Account": "u_30555" }
          ],
          "EventTime": 1736990000789
        }
        """;

    public const string GroupInfoChanged = """
        {
          "CallbackCommand": "Group.CallbackAfterGroupInfoChanged",
          "GroupId": "@TGS#2KDFJ3ASL",
          "Type": "Public",
          "Operator_Account": "u_20017",
          "Name": "Weekend hikers 2025",
          "Notification": "Meet at the north gate at 08:00",
          "EventTime": 1736950000001
        }
        """;

    public const string NewMemberJoin = """
        {
          "CallbackCommand": "Group.CallbackAfterNewMemberJoin",
          "GroupId": "@TGS#2KDFJ3ASL",
          "Type": "Public",
          "JoinType": "Invited",
          "Operator_Account": "u_10086",
          "NewMemberList": [ { "Member_Account": "u_40404" } ],
          "EventTime": 1736951000002
        }
        """;

    public const string MemberExit = """
        {
          "CallbackCommand": "Group.CallbackAfterMemberExit",
          "GroupId": "@TGS#2KDFJ3ASL",
          "Type": "Public",
          "ExitType": "Quit",
          "Operator_Account": "u_30555",
          "ExitMemberList": [ { "Member_Account": "u_30555" } ],
          "EventTime": 1736952000003
        }
        """;

    public const string GroupMessage = """
        {
          "CallbackCommand": "Group.CallbackAfterSendMsg",
          "GroupId": "@TGS#2KDFJ3ASL",
          "Type": "Public",
          "From_Account": "u_20017",
          "Operator_Account": "u_20017",
          "Random": 302115987,
          "MsgSeq": 42,
          "MsgId": "144115212345678902-1736953000-302115987",
          "MsgTime": 1736953000,
          "OnlineOnlyFlag": 0,
          "MsgBody": [
            { "MsgType": "TIMTextElem", "MsgContent": { "Text": "@all trail is muddy, bring boots" } },
            { "MsgType": "TIMLocationElem", "MsgContent": { "Desc": "North gate", "Latitude": 22.5431, "Longitude": 114.0579 } }
          ],
          "CloudCustomData": "",
          "GroupAtInfo": [ { "GroupAtAllFlag": 1 } ],
          "EventTime": 1736953000321
        }
        """;

    /// <summary>Every command with its sample body, for theories.</summary>
    public static TheoryData<string, string> All => new()
    {
        { C2CMessageDeclaration.Command, C2CMessage },
        { GroupCreatedDeclaration.Command, GroupCreated },
        { GroupDismissedDeclaration.Command, GroupDestroyed },
        { GroupProfileChangedDeclaration.Command, GroupInfoChanged },
        { GroupMembersJoinedDeclaration.Command, NewMemberJoin },
        { GroupMembersLeftDeclaration.Command, MemberExit },
        { GroupMessageDeclaration.Command, GroupMessage },
    };

    public static string CommandOf(string body) => (string)JsonNode.Parse(body)!["CallbackCommand"]!;

    public static byte[] Bytes(string body) => Encoding.UTF8.GetBytes(body);

    /// <summary>The body with <paramref name="edit"/> applied to its JSON object.</summary>
    public static string Edit(string body, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        edit(json);
        return json.ToJsonString();
    }

    public static string Without(string body, string property) => Edit(body, json => json.Remove(property));

    public static string With(string body, string property, JsonNode? value) => Edit(body, json => json[property] = value);
}
