using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class ImportBatchingTests : IDisposable
{
    private readonly ImportFolder _folder = new();
    private readonly RecordingImClient _im = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Imports_accounts_100_per_call_with_their_nick_and_avatar()
    {
        _folder.Write(ImportPhases.Accounts, Enumerable.Range(0, 250)
            .Select(i => i % 50 == 7 ? Lines.AccountWithNick($"u{i}", $"Nick {i}") : Lines.Account($"u{i}"))
            .Append("""{"userId":"u250","faceUrl":"https://cdn.example.com/a/250.png"}"""));

        await _folder.RunAsync(_im);

        Assert.Empty(_im.CallsTo(ImApi.AccountImport));
        var calls = _im.CallsTo(ImApi.MultiAccountImport);
        Assert.All(calls, call => Assert.False(call.Body.TryGetProperty("Accounts", out _)));
        var accounts = calls.SelectMany(call => call.Array("AccountList")).ToList();
        Assert.Equal([100, 100, 51], calls.Select(call => call.Array("AccountList").Count()).Order().Reverse());
        Assert.Equal(251, accounts.Select(account => account.GetProperty("UserID").GetString()).Distinct().Count());
        var nicks = accounts.Where(account => account.TryGetProperty("Nick", out _)).ToList();
        Assert.Equal(5, nicks.Count);
        Assert.All(nicks, account => Assert.Equal("Nick " + account.GetProperty("UserID").GetString()![1..], account.GetProperty("Nick").GetString()));
        var face = Assert.Single(accounts, account => account.TryGetProperty("FaceUrl", out _));
        Assert.Equal("u250", face.GetProperty("UserID").GetString());
        Assert.False(face.TryGetProperty("Nick", out _));
    }

    [Fact]
    public async Task Falls_back_to_one_account_import_per_account_with_a_nick_when_the_account_list_form_is_off()
    {
        _folder.Options.AccountListForm = false;
        _folder.Write(ImportPhases.Accounts, Enumerable.Range(0, 250)
            .Select(i => i % 50 == 7 ? Lines.AccountWithNick($"u{i}", $"Nick {i}") : Lines.Account($"u{i}")));

        await _folder.RunAsync(_im);

        var batches = _im.CallsTo(ImApi.MultiAccountImport).Select(call => call.Array("Accounts").Count()).ToList();
        Assert.Equal([100, 100, 45], batches.Order().Reverse());
        var singles = _im.CallsTo(ImApi.AccountImport);
        Assert.Equal(5, singles.Count);
        Assert.All(singles, call => Assert.Equal("Nick " + call.Str("UserID")![1..], call.Str("Nick")));
    }

    [Fact]
    public async Task Imports_one_owners_friends_up_to_1000_per_call()
    {
        _folder.Write(ImportPhases.Friends, Enumerable.Range(0, 2500).Select(i => Lines.Friend("owner", $"f{i}"))
            .Concat(Enumerable.Range(0, 3).Select(i => Lines.Friend("other", $"f{i}"))));

        await _folder.RunAsync(_im);

        var calls = _im.CallsTo(ImApi.FriendImport);
        Assert.Equal([1000, 1000, 500], calls.Where(call => call.Str("From_Account") == "owner").Select(call => call.Array("AddFriendItem").Count()));
        Assert.Equal([3], calls.Where(call => call.Str("From_Account") == "other").Select(call => call.Array("AddFriendItem").Count()));
        Assert.Equal("f0", calls[0].Array("AddFriendItem").First().GetProperty("To_Account").GetString());
        Assert.Equal("AddSource_Type_Legacy", calls[0].Array("AddFriendItem").First().GetProperty("AddSource").GetString());
    }

    [Fact]
    public async Task Imports_one_groups_members_up_to_20_per_call()
    {
        _folder.Write(ImportPhases.GroupMembers, Enumerable.Range(0, 45).Select(i => Lines.Member("g1", $"u{i}"))
            .Append(Lines.Member("g2", "u1")));

        await _folder.RunAsync(_im);

        var calls = _im.CallsTo(ImApi.ImportGroupMember);
        Assert.Equal([20, 20, 5], calls.Where(call => call.Str("GroupId") == "g1").Select(call => call.Array("MemberList").Count()));
        Assert.Single(calls, call => call.Str("GroupId") == "g2");
    }

    [Fact]
    public async Task Imports_one_groups_messages_up_to_7_per_call_in_ascending_time_one_call_at_a_time()
    {
        _folder.Options.Parallelism = 8;
        var groups = new[] { "g1", "g2", "g3" };
        _folder.Write(ImportPhases.GroupMessages, groups.SelectMany(group => Enumerable.Range(0, 30)
            .Select(i => Lines.GroupMessage($"{group}-m{i}", group, "u1", Lines.Created + Lines.Day + i))));
        var inFlight = groups.ToDictionary(group => group, _ => 0);
        var overlapped = false;
        _im.During = async call =>
        {
            var group = call.Str("GroupId")!;
            lock (inFlight)
            {
                overlapped |= ++inFlight[group] > 1;
            }
            for (var i = 0; i < 20; i++)
            {
                await Task.Yield();
            }
            lock (inFlight)
            {
                inFlight[group]--;
            }
        };

        await _folder.RunAsync(_im);

        Assert.False(overlapped, "two calls for one group were in flight together");
        foreach (var group in groups)
        {
            var calls = _im.CallsTo(ImApi.ImportGroupMsg).Where(call => call.Str("GroupId") == group).ToList();
            Assert.Equal([7, 7, 7, 7, 2], calls.Select(call => call.Array("MsgList").Count()));
            var times = calls.SelectMany(call => call.Array("MsgList").Select(message => message.GetProperty("SendTime").GetInt64())).ToList();
            Assert.Equal(Enumerable.Range(0, 30).Select(i => Lines.Created + Lines.Day + i), times);
        }
    }

    [Fact]
    public async Task Sends_one_conversations_messages_in_file_order_with_one_message_per_call()
    {
        _folder.Options.Parallelism = 8;
        _folder.Write(ImportPhases.C2CMessages, Enumerable.Range(0, 40)
            .Select(i => Lines.C2C($"c{i}", i % 2 == 0 ? "a" : "b", i % 2 == 0 ? "b" : "a", Lines.Created + i)));

        await _folder.RunAsync(_im);

        var times = _im.CallsTo(ImApi.ImportMsg).Select(call => call.Body.GetProperty("MsgTimeStamp").GetInt64());
        Assert.Equal(Enumerable.Range(0, 40).Select(i => Lines.Created + i), times);
    }
}
