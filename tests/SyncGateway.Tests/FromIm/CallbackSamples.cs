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

    public const string C2CRecall = """
        { "CallbackCommand": "C2C.CallbackAfterMsgWithDraw", "From_Account": "u_10086", "To_Account": "u_20017",
          "MsgKey": "517364_1850291734_1736920800", "UnreadMsgNum": 2, "EventTime": 1736921100456 }
        """;

    public const string GroupRecall = """
        { "CallbackCommand": "Group.CallbackAfterRecallMsg", "Operator_Account": "administrator", "Type": "Public",
          "GroupId": "@TGS#2KDFJ3ASL", "MsgSeqList": [ { "MsgSeq": 42, "MsgId": "144115212345678902-1736953000-302115987" }, { "MsgSeq": 43 } ],
          "EventTime": 1736953500111 }
        """;

    public const string C2CModify = """
        { "CallbackCommand": "C2C.CallbackAfterModifyMsg", "Operator_Account": "u_10086", "From_Account": "u_10086",
          "To_Account": "u_20017", "MsgKey": "517364_1850291734_1736920800", "MsgSeq": 517364, "MsgRandom": 1850291734,
          "MsgTime": 1736920800, "MsgBody": [ { "MsgType": "TIMTextElem", "MsgContent": { "Text": "See you at 8?" } } ],
          "CloudCustomData": "", "EventTime": 1736921300123 }
        """;

    public const string GroupModify = """
        { "CallbackCommand": "Group.CallbackAfterModifyMsg", "Operator_Account": "u_20017", "GroupId": "@TGS#2KDFJ3ASL",
          "TopicId": "", "MsgSeq": 42, "MsgBody": [ { "MsgType": "TIMTextElem", "MsgContent": { "Text": "trail is dry now" } } ],
          "EventTime": 1736953600222 }
        """;

    public const string C2CRead = """
        { "CallbackCommand": "C2C.CallbackAfterMsgReport", "Report_Account": "u_20017", "Peer_Account": "u_10086",
          "LastReadTime": 1736921000, "UnreadMsgNum": 0, "EventTime": 1736921000789 }
        """;

    public const string PortraitSet = """
        { "CallbackCommand": "Profile.CallbackPortraitSet", "Operator_Account": "u_10086", "From_Account": "u_10086",
          "EventTime": 1736922000123, "ProfileItem": [ { "Tag": "Tag_Profile_IM_Nick", "Value": "Ana B." },
          { "Tag": "Tag_Profile_IM_Image", "Value": "https://cdn.example.com/a/10086.png" },
          { "Tag": "Tag_Profile_IM_BirthDay", "Value": 19900101 },
          { "Tag": "Tag_Profile_Custom_Level", "Value": 7 }, { "Tag": "Tag_Profile_IM_Location", "Value": "CN" } ] }
        """;

    // IM documents no EventTime for the friend callbacks; the samples carry one so that they name one moment.
    public const string FriendAdd = """
        { "CallbackCommand": "Sns.CallbackFriendAdd", "PairList": [
            { "From_Account": "u_10086", "To_Account": "u_20017", "Initiator_Account": "u_10086" },
            { "From_Account": "u_20017", "To_Account": "u_10086", "Initiator_Account": "u_10086" } ],
          "ClientCmd": "friend_add", "Admin_Account": "", "ForceFlag": 0, "EventTime": 1736922100000 }
        """;

    public const string FriendDelete = """
        { "CallbackCommand": "Sns.CallbackFriendDelete", "PairList": [ { "From_Account": "u_10086", "To_Account": "u_20017" } ],
          "EventTime": 1736922200000 }
        """;

    public const string MemberFieldChanged = """
        { "CallbackCommand": "Group.CallbackAfterMemberFieldChanged", "GroupId": "@TGS#2KDFJ3ASL", "Type": "Public",
          "Operator_Account": "u_10086", "Modified_Account": "u_20017", "Role": "Admin", "NameCard": "Trail lead",
          "EventTime": "1736954000333" }
        """;

    public const string ChangeGroupOwner = """
        { "CallbackCommand": "Group.CallbackAfterChangeGroupOwner", "GroupId": "@TGS#2KDFJ3ASL", "Type": "Public",
          "Operator_Account": "u_10086", "OldOwner_Account": "u_10086", "NewOwner_Account": "u_20017", "EventTime": 1736954100444 }
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
        { C2CMessageRecalledDeclaration.Command, C2CRecall },
        { GroupMessageRecalledDeclaration.Command, GroupRecall },
        { C2CMessageEditedDeclaration.Command, C2CModify },
        { GroupMessageEditedDeclaration.Command, GroupModify },
        { C2CMessageReadDeclaration.Command, C2CRead },
        { ProfileChangedDeclaration.Command, PortraitSet },
        { FriendAddedDeclaration.Command, FriendAdd },
        { FriendRemovedDeclaration.Command, FriendDelete },
        { GroupMemberChangedDeclaration.Command, MemberFieldChanged },
        { GroupOwnerChangedDeclaration.Command, ChangeGroupOwner },
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
