using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class ImportValidationTests : IDisposable
{
    private readonly ImportFolder _folder = new();
    private readonly RecordingImClient _im = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_dry_run_checks_the_whole_folder_names_each_bad_line_and_calls_nothing()
    {
        _folder
            .Write(ImportPhases.Accounts, Lines.Account("u1"), "{\"userId\":", Lines.Account("u3"))
            .Write(ImportPhases.C2CMessages,
                Lines.C2C("c1", "u1", "u3", Lines.Created),
                "",
                """{"id":"c2","from":"u1","to":"u3","time":1600000001,"body":[{"msgType":"TIMMagicElem","msgContent":{}}]}""",
                """{"id":"c3","to":"u3","time":1600000002,"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"x"}}]}""")
            .Write(ImportPhases.GroupMessages, Lines.GroupMessage("m1", "g1", "u1", Lines.Created));

        var (outcome, runner) = await _folder.RunAsync(client: null, _folder.Request(dryRun: true));

        Assert.Equal(ImportOutcome.InvalidInput, outcome);
        Assert.Empty(_im.Calls);
        Assert.False(File.Exists(_folder.StatePath));
        Assert.False(File.Exists(_folder.RejectsPath));
        var accounts = runner.Phases.Single(phase => phase.Name == ImportPhases.Accounts);
        Assert.StartsWith("accounts.jsonl:2: invalid JSON", Assert.Single(accounts.Errors), StringComparison.Ordinal);
        var messages = runner.Phases.Single(phase => phase.Name == ImportPhases.C2CMessages);
        Assert.Equal(
            [
                "c2c-messages.jsonl:3: body[0] has unknown element type \"TIMMagicElem\"",
                "c2c-messages.jsonl:4: missing required field \"from\"",
            ],
            messages.Errors.Select(error => error.Split(" (known:")[0]));
        Assert.Equal(PhaseStatus.Completed, runner.Phases.Single(phase => phase.Name == ImportPhases.GroupMessages).Status);
        Assert.Equal(1, runner.Phases.Single(phase => phase.Name == ImportPhases.GroupMessages).Calls);
    }

    [Fact]
    public async Task A_real_run_rejects_invalid_lines_once_and_imports_the_rest()
    {
        _folder.Write(ImportPhases.Accounts, Lines.Account("u1"), """{"nick":"no id"}""", Lines.Account("u3"));

        var (outcome, _) = await _folder.RunAsync(_im);
        await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.CompletedWithRejects, outcome);
        Assert.Equal(["u1", "u3"], _im.Calls.Single().Array("AccountList").Select(account => account.GetProperty("UserID").GetString()));
        var reject = Assert.Single(_folder.Rejects());
        Assert.Equal(2, reject.GetProperty("line").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, reject.GetProperty("api").ValueKind);
        Assert.Equal("missing required field \"userId\"", reject.GetProperty("errorInfo").GetString());
        Assert.Equal("no id", reject.GetProperty("input").GetProperty("nick").GetString());
    }

    [Fact]
    public async Task A_dry_run_names_each_line_that_names_an_account_or_group_the_folder_does_not_define()
    {
        _folder
            .Write(ImportPhases.Accounts, Lines.Account("u0"), Lines.Account("u1"), Lines.Account("u2"), "{\"userId\":42}")
            .Write(ImportPhases.Groups, Lines.Group("g1", owner: "u0"), Lines.Group("g2", owner: "ghost"))
            .Write(ImportPhases.Friends, Lines.Friend("u1", "u2"), Lines.Friend("u1", "42"))
            .Write(ImportPhases.GroupMembers, Lines.Member("g1", "u1"), Lines.Member("g9", "u1"), Lines.Member("g2", "u7"))
            .Write(ImportPhases.C2CMessages, Lines.C2C("c1", "u1", "u2", Lines.Created), Lines.C2C("c2", "u3", "u2", Lines.Created + 1))
            .Write(ImportPhases.GroupMessages, Lines.GroupMessage("m1", "g1", "u2", Lines.Created + 5), Lines.GroupMessage("m2", "nowhere", "u2", Lines.Created + 6))
            .Write(ImportPhases.GroupUnread, Lines.Unread("g1", "u1", 1), Lines.Unread("g1", "nobody", 1));

        var (outcome, runner) = await _folder.RunAsync(client: null, _folder.Request(dryRun: true));

        Assert.Equal(ImportOutcome.InvalidInput, outcome);
        Assert.Equal(
            [
                "accounts.jsonl:4: field \"userId\" must be a string, not a number",
                "friends.jsonl:2: field \"to\" names account \"42\", which accounts.jsonl does not have (or has only on an invalid line)",
                "groups.jsonl:2: field \"owner\" names account \"ghost\", which accounts.jsonl does not have (or has only on an invalid line)",
                "group-members.jsonl:2: field \"groupId\" names group \"g9\", which groups.jsonl does not have (or has only on an invalid line)",
                "group-members.jsonl:3: field \"userId\" names account \"u7\", which accounts.jsonl does not have (or has only on an invalid line)",
                "c2c-messages.jsonl:2: field \"from\" names account \"u3\", which accounts.jsonl does not have (or has only on an invalid line)",
                "group-messages.jsonl:2: field \"groupId\" names group \"nowhere\", which groups.jsonl does not have (or has only on an invalid line)",
                "group-unread.jsonl:2: field \"userId\" names account \"nobody\", which accounts.jsonl does not have (or has only on an invalid line)",
            ],
            runner.Phases.SelectMany(phase => phase.Errors));
    }

    [Fact]
    public async Task A_dry_run_does_not_check_references_against_a_file_the_folder_lacks()
    {
        _folder
            .Write(ImportPhases.GroupMembers, Lines.Member("g1", "u1"))
            .Write(ImportPhases.GroupMessages, Lines.GroupMessage("m1", "g1", "u2", Lines.Created + 5));

        var (outcome, runner) = await _folder.RunAsync(client: null, _folder.Request(dryRun: true));

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Empty(runner.Phases.SelectMany(phase => phase.Errors));
    }

    [Fact]
    public async Task A_real_run_leaves_references_to_im()
    {
        _folder
            .Write(ImportPhases.Accounts, Lines.Account("u1"))
            .Write(ImportPhases.C2CMessages, Lines.C2C("c1", "u1", "u2", Lines.Created));

        var (outcome, _) = await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Single(_im.CallsTo(SyncGateway.Im.ImApi.ImportMsg));
    }

    [Theory]
    [InlineData("""{"id":"m","groupId":"g1","from":"u1","time":1600000000000,"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"x"}}]}""", "field \"time\" must be between 1 and 4294967295")]
    [InlineData("""{"id":"m","groupId":"g1","from":"u1","time":1600000000,"body":[]}""", "field \"body\" must be a non-empty array")]
    [InlineData("""{"id":"m","groupId":"g1","from":"u1","time":1600000000,"body":[{"msgType":"TIMTextElem","msgContent":{"text":"x"}}]}""", "body[0] (TIMTextElem) needs msgContent.Text")]
    [InlineData("""{"id":"m","groupId":"g1","from":"u1","time":1599999999,"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"x"}}]}""", "time 1599999999 is before an earlier line of group g1")]
    [InlineData("""{"id":"m","groupId":"g1","from":"u1","time":4000000000,"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"x"}}]}""", "is in the future")]
    [InlineData("""["not","an","object"]""", "a line must be a JSON object")]
    public async Task Names_the_problem_of_a_bad_group_message_line(string line, string problem)
    {
        _folder.Write(ImportPhases.GroupMessages, Lines.GroupMessage("m0", "g1", "u1", Lines.Created), line);

        var (_, runner) = await _folder.RunAsync(client: null, _folder.Request(dryRun: true));

        var error = Assert.Single(runner.Phases.Single(phase => phase.Name == ImportPhases.GroupMessages).Errors);
        Assert.StartsWith("group-messages.jsonl:2: ", error, StringComparison.Ordinal);
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refuses_a_nick_longer_than_ims_profile_limit_so_it_cannot_fail_a_whole_account_batch()
    {
        _folder.Write(ImportPhases.Accounts, Lines.Account("u1"), Lines.AccountWithNick("u2", new string('n', 501)), Lines.AccountWithNick("u3", new string('n', 500)));

        var (_, runner) = await _folder.RunAsync(client: null, _folder.Request(dryRun: true));

        var error = Assert.Single(runner.Phases.Single(phase => phase.Name == ImportPhases.Accounts).Errors);
        Assert.Equal("accounts.jsonl:2: field \"nick\" is longer than IM's 500-byte profile value limit", error);
    }

    [Fact]
    public async Task Refuses_group_types_import_group_does_not_take()
    {
        _folder.Write(ImportPhases.Groups, """{"groupId":"live","type":"AVChatRoom","name":"Live","createTime":1600000000}""");

        var (_, runner) = await _folder.RunAsync(client: null, _folder.Request(dryRun: true));

        Assert.Contains("import_group does not take \"AVChatRoom\"", Assert.Single(runner.Phases.Single(phase => phase.Name == ImportPhases.Groups).Errors), StringComparison.Ordinal);
    }
}
