using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using SyncGateway.Fakes.Im;

namespace SyncGateway.Benchmarks.Load;

/// <summary>
/// Signed IM after-callbacks as IM posts them, a realistic mix of the seven commands the gateway relays (mostly
/// messages). Item <c>n</c> is recoverable from what legacy receives (<see cref="SequenceOf(JsonElement)"/>), for end-to-end latency.
/// </summary>
internal sealed class ImCallbackTraffic(HttpClient http, long sdkAppId, string callbackToken)
{
    /// <summary>Group ids of the group lifecycle commands carry the item number: one group per event.</summary>
    private const string LifecycleGroupPrefix = "bg_";

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    // Per 100 callbacks: 70 1:1 messages, 20 group messages, 2 of each group lifecycle command.
    private static readonly string[] Mix =
    [
        .. Enumerable.Repeat("C2C.CallbackAfterSendMsg", 70),
        .. Enumerable.Repeat("Group.CallbackAfterSendMsg", 20),
        .. Enumerable.Repeat("Group.CallbackAfterCreateGroup", 2),
        .. Enumerable.Repeat("Group.CallbackAfterGroupInfoChanged", 2),
        .. Enumerable.Repeat("Group.CallbackAfterNewMemberJoin", 2),
        .. Enumerable.Repeat("Group.CallbackAfterMemberExit", 2),
        .. Enumerable.Repeat("Group.CallbackAfterGroupDestroyed", 2),
    ];

    /// <summary>Callbacks in one round of the mix.</summary>
    public static int MixSize => Mix.Length;

    /// <summary>POSTs callback <paramref name="n"/>; true when the gateway answered 200 with IM's OK.</summary>
    public async Task<bool> PostAsync(long n)
    {
        var (command, body) = Build(n);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var uri = new Uri("/im/callbacks?" + ImCallbackSigner.BuildQuery(sdkAppId, command, "Android", "203.0.113.10", callbackToken, now), UriKind.Relative);
        using var content = new ByteArrayContent(body) { Headers = { ContentType = Json } };
        using var response = await http.PostAsync(uri, content);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }
        var answer = await response.Content.ReadAsByteArrayAsync();
        return answer.AsSpan().IndexOf("\"ActionStatus\":\"OK\""u8) >= 0;
    }

    public static (string Command, byte[] Body) Build(long n)
    {
        var command = Mix[(int)(n % Mix.Length)];
        var time = DateTimeOffset.UtcNow;
        var seconds = time.ToUnixTimeSeconds();
        var eventTime = time.ToUnixTimeMilliseconds();
        var user = (int)(n % 1000);
        var group = LifecycleGroupPrefix + n.ToString(CultureInfo.InvariantCulture);
        var text = Text(n);
        string body = command switch
        {
            "C2C.CallbackAfterSendMsg" => $$$"""
                {"CallbackCommand":"C2C.CallbackAfterSendMsg","From_Account":"u_{{{user}}}","To_Account":"u_{{{1000 + user}}}","MsgSeq":{{{n % 4_000_000_000}}},
                 "MsgRandom":{{{n % 4_000_000_000}}},"MsgTime":{{{seconds}}},"MsgKey":"{{{n}}}_{{{n}}}_{{{seconds}}}","OnlineOnlyFlag":0,
                 "SendMsgResult":0,"ErrorInfo":"send msg succeed","UnreadMsgNum":1,
                 "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":{{{text}}}}}],"CloudCustomData":"{\"app\":\"bench\"}","EventTime":{{{eventTime}}}}
                """,
            "Group.CallbackAfterSendMsg" => $$$"""
                {"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"@TGS#bench{{{n % 200}}}","Type":"Public","From_Account":"u_{{{user}}}",
                 "Operator_Account":"u_{{{user}}}","Random":{{{n % 4_000_000_000}}},"MsgSeq":{{{n % 4_000_000_000}}},"MsgTime":{{{seconds}}},"OnlineOnlyFlag":0,
                 "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":{{{text}}}}}],"CloudCustomData":"","EventTime":{{{eventTime}}}}
                """,
            "Group.CallbackAfterCreateGroup" => $$"""
                {"CallbackCommand":"Group.CallbackAfterCreateGroup","GroupId":"{{group}}","Operator_Account":"u_{{user}}","Owner_Account":"u_{{user}}",
                 "Type":"Public","Name":"Bench group {{n}}","MemberList":[{"Member_Account":"u_{{1000 + user}}"}],"EventTime":{{eventTime}}}
                """,
            "Group.CallbackAfterGroupInfoChanged" => $$"""
                {"CallbackCommand":"Group.CallbackAfterGroupInfoChanged","GroupId":"{{group}}","Type":"Public","Operator_Account":"u_{{user}}",
                 "Name":"Renamed {{n}}","Notification":"Notice {{n}}","EventTime":{{eventTime}}}
                """,
            "Group.CallbackAfterNewMemberJoin" => $$"""
                {"CallbackCommand":"Group.CallbackAfterNewMemberJoin","GroupId":"{{group}}","Type":"Public","JoinType":"Invited",
                 "Operator_Account":"u_{{user}}","NewMemberList":[{"Member_Account":"u_{{2000 + user}}"}],"EventTime":{{eventTime}}}
                """,
            "Group.CallbackAfterMemberExit" => $$"""
                {"CallbackCommand":"Group.CallbackAfterMemberExit","GroupId":"{{group}}","Type":"Public","ExitType":"Quit",
                 "Operator_Account":"u_{{2000 + user}}","ExitMemberList":[{"Member_Account":"u_{{2000 + user}}"}],"EventTime":{{eventTime}}}
                """,
            _ => $$"""
                {"CallbackCommand":"Group.CallbackAfterGroupDestroyed","GroupId":"{{group}}","Type":"Public","Owner_Account":"u_{{user}}",
                 "Name":"Bench group {{n}}","MemberList":[{"Member_Account":"u_{{user}}"}],"EventTime":{{eventTime}}}
                """,
        };
        return (command, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>A message text of typical chat length that ends with <c>#n</c>.</summary>
    public static string Text(long n) => JsonSerializer.Serialize($"Are we still on for the 7 pm call? Bring the slides. #{n}");

    /// <summary>The item number in a relayed event's or an IM call's data (message text or lifecycle group id); null if none.</summary>
    public static long? SequenceOf(string? text, string? groupId)
    {
        if (groupId is not null && groupId.StartsWith(LifecycleGroupPrefix, StringComparison.Ordinal))
        {
            return long.Parse(groupId.AsSpan(LifecycleGroupPrefix.Length), CultureInfo.InvariantCulture);
        }
        var hash = text?.LastIndexOf('#') ?? -1;
        return hash >= 0 && long.TryParse(text.AsSpan(hash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>The item number of a CloudEvent's <c>data</c> as legacy receives it (or posts it back).</summary>
    public static long? SequenceOf(JsonElement data)
    {
        var groupId = data.TryGetProperty("groupId", out var g) ? g.GetString() : null;
        string? text = null;
        if (data.TryGetProperty("body", out var body) && body.GetArrayLength() > 0
            && body[0].TryGetProperty("msgContent", out var content) && content.TryGetProperty("Text", out var t))
        {
            text = t.GetString();
        }
        return SequenceOf(text, groupId);
    }
}
