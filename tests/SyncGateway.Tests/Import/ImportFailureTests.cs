using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class ImportFailureTests : IDisposable
{
    private readonly ImportFolder _folder = new();
    private readonly RecordingImClient _im = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Retries_a_batch_while_im_stays_busy_after_the_clients_own_retries()
    {
        _folder.Write(ImportPhases.GroupMessages, Lines.GroupMessage("m1", "g1", "u1", Lines.Created));
        var failures = 0;
        _im.Answer = _ => Interlocked.Increment(ref failures) switch
        {
            1 => throw new ImTransientException(ImApi.ImportGroupMsg, 60007, "rate limit"),
            2 => throw new ImTransientException(ImApi.ImportGroupMsg, 10002, "busy"),
            _ => null,
        };

        var (outcome, runner) = await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Equal(3, _im.Calls.Count);
        Assert.Single(_im.Calls.Select(call => call.Body.GetRawText()).Distinct());
        Assert.Empty(_folder.Rejects());
        Assert.Equal(1, runner.Phases.Single(phase => phase.Name == ImportPhases.GroupMessages).Items);
    }

    [Fact]
    public async Task Stops_resumably_when_im_stays_unavailable_and_finishes_on_the_next_run()
    {
        _folder.Options.MaxAttempts = 3;
        _folder.Write(ImportPhases.Accounts, Lines.Account("u1"));
        _folder.Write(ImportPhases.Groups, Lines.Group("g1"));
        _im.Answer = call => call.Api == ImApi.ImportGroup ? throw new ImTransientException(call.Api, -1, "no answer") : null;

        var (failed, runner) = await _folder.RunAsync(_im);
        var (completed, _) = await _folder.RunAsync(new RecordingImClient());

        Assert.Equal(ImportOutcome.Failed, failed);
        Assert.Equal(3, _im.CallsTo(ImApi.ImportGroup).Count);
        Assert.Contains("same --state", runner.Phases.Single(phase => phase.Name == ImportPhases.Groups).StopReason, StringComparison.Ordinal);
        Assert.Equal(ImportOutcome.Completed, completed);
    }

    [Fact]
    public async Task Writes_items_im_refused_inside_an_ok_answer_to_the_rejects_file_with_their_line()
    {
        _folder.Write(ImportPhases.GroupMessages, Enumerable.Range(0, 7).Select(i => Lines.GroupMessage($"m{i}", "g1", "u1", Lines.Created + i)));
        _folder.Write(ImportPhases.Accounts, Lines.Account("u1"), Lines.Account("bad"), Lines.Account("u3"));
        _im.Answer = call => call.Api == ImApi.ImportGroupMsg
            ? RecordingImClient.Json("""{"ActionStatus":"OK","ErrorCode":0,"ImportMsgResult":[{"Result":0},{"Result":10004},{"Result":0},{"Result":0},{"Result":0},{"Result":0},{"Result":80002}]}""")
            : call.Api == ImApi.MultiAccountImport
                ? RecordingImClient.Json("""{"ActionStatus":"OK","ErrorCode":0,"FailAccounts":["bad"]}""")
                : null;

        var (outcome, _) = await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.CompletedWithRejects, outcome);
        var rejects = _folder.Rejects();
        Assert.Equal(3, rejects.Count);
        var account = rejects.Single(reject => reject.GetProperty("file").GetString() == "accounts.jsonl");
        Assert.Equal(2, account.GetProperty("line").GetInt64());
        Assert.Equal("im_open_login_svc/multiaccount_import", account.GetProperty("api").GetString());
        Assert.Equal("bad", account.GetProperty("input").GetProperty("userId").GetString());
        var messages = rejects.Where(reject => reject.GetProperty("file").GetString() == "group-messages.jsonl").ToList();
        Assert.Equal([2L, 7L], messages.Select(reject => reject.GetProperty("line").GetInt64()));
        Assert.Equal([10004, 80002], messages.Select(reject => reject.GetProperty("errorCode").GetInt32()));
        Assert.Equal("m1", messages[0].GetProperty("input").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Rejects_every_item_of_a_call_im_refused_permanently_and_goes_on()
    {
        _folder.Write(ImportPhases.GroupMembers,
            Lines.Member("gone", "u1"), Lines.Member("gone", "u2"), Lines.Member("g2", "u1"));
        _im.Answer = call => call.Str("GroupId") == "gone" ? throw new ImPermanentException(call.Api, 10010, "group does not exist") : null;

        var (outcome, _) = await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.CompletedWithRejects, outcome);
        Assert.Equal(2, _im.Calls.Count);
        var rejects = _folder.Rejects();
        Assert.Equal([1L, 2L], rejects.Select(reject => reject.GetProperty("line").GetInt64()));
        Assert.All(rejects, reject =>
        {
            Assert.Equal(10010, reject.GetProperty("errorCode").GetInt32());
            Assert.Equal("group does not exist", reject.GetProperty("errorInfo").GetString());
            Assert.Equal("group_open_http_svc/import_group_member", reject.GetProperty("api").GetString());
        });
    }

    [Fact]
    public async Task Stops_instead_of_rejecting_everything_when_im_refuses_the_caller()
    {
        _folder.Write(ImportPhases.Accounts, Enumerable.Range(0, 500).Select(i => Lines.Account($"u{i}")));
        _im.Answer = call => throw new ImPermanentException(call.Api, 70003, "UserSig invalid");

        var (outcome, runner) = await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.Failed, outcome);
        Assert.Empty(_folder.Rejects());
        Assert.Contains("70003", runner.Phases[0].StopReason, StringComparison.Ordinal);
    }
}
