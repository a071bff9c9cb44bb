using SyncGateway.Fakes.Im;
using SyncGateway.Import;

namespace SyncGateway.IntegrationTests.Import;

public sealed class ImportFailureTests
{
    [Fact]
    public async Task Retries_rate_limit_and_busy_answers_until_everything_is_imported()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        rig
            .Write(ImportPhases.Accounts, Enumerable.Range(0, 5).Select(i => Lines.Account($"u{i}")))
            .Write(ImportPhases.Groups, Lines.Group("g1"))
            .Write(ImportPhases.GroupMembers, Enumerable.Range(1, 4).Select(i => Lines.Member("g1", $"u{i}")))
            .Write(ImportPhases.GroupMessages, Enumerable.Range(0, 14).Select(i => Lines.GroupMessage($"m{i}", "g1", $"u{i % 5}", Lines.Created + 3600 + i)));
        rig.Im.FailNext(FakeImApis.ImportGroupMsg, 60007, times: 2, "rate limit exceeded");
        rig.Im.FailNext(FakeImApis.ImportGroupMember, 10002, times: 1, "group service busy");

        var (outcome, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Empty(rig.Rejects());
        Assert.Equal([60007, 60007, 0, 0], rig.Im.CallsTo(FakeImApis.ImportGroupMsg).Select(call => call.ErrorCode));
        Assert.Equal([10002, 0], rig.Im.CallsTo(FakeImApis.ImportGroupMember).Select(call => call.ErrorCode));
        Assert.Equal(14, rig.Im.GetGroup("g1")!.Messages.Count);
        Assert.Equal(5, rig.Im.GetGroup("g1")!.Members.Count);
    }

    [Fact]
    public async Task Writes_what_im_refuses_to_the_rejects_file_with_its_line_and_goes_on()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        rig
            .Write(ImportPhases.Accounts, Lines.Account("u1"), Lines.Account("u2"))
            .Write(ImportPhases.Groups, Lines.Group("g1", owner: "u1"))
            .Write(ImportPhases.C2CMessages,
                Lines.C2C("c1", "u1", "u2", Lines.Created),
                Lines.C2C("c2", "u1", "ghost", Lines.Created + 1),
                Lines.C2C("c3", "u2", "u1", Lines.Created + 2))
            .Write(ImportPhases.GroupMessages,
                Lines.GroupMessage("m1", "g1", "u1", Lines.Created + 10),
                Lines.GroupMessage("m2", "g1", "ghost", Lines.Created + 11),
                Lines.GroupMessage("m3", "nowhere", "u1", Lines.Created + 12),
                Lines.GroupMessage("m4", "g1", "u2", Lines.Created + 13));

        var (outcome, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.CompletedWithRejects, outcome);
        var rejects = rig.Rejects().Select(reject => (
            File: reject.GetProperty("file").GetString(),
            Line: reject.GetProperty("line").GetInt64(),
            Api: reject.GetProperty("api").GetString(),
            Code: reject.GetProperty("errorCode").GetInt32(),
            Id: reject.GetProperty("input").GetProperty("id").GetString()))
            .OrderBy(reject => reject.File).ThenBy(reject => reject.Line)
            .ToList();
        Assert.Equal(
            [
                ("c2c-messages.jsonl", 2L, "openim/importmsg", 90048, "c2"),
                ("group-messages.jsonl", 2L, "group_open_http_svc/import_group_msg", 10004, "m2"),
                ("group-messages.jsonl", 3L, "group_open_http_svc/import_group_msg", 10010, "m3"),
            ],
            rejects);
        Assert.Equal(2, rig.Im.GetC2CMessages("u1", "u2").Count);
        Assert.Equal(["m1", "m4"], rig.Im.GetGroup("g1")!.Messages.Select(m => m.MsgBody[0]!["MsgContent"]!["Text"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_group_whose_import_timed_out_after_im_made_it_counts_as_imported_on_the_retry()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        rig
            .Write(ImportPhases.Accounts, Lines.Account("u0"), Lines.Account("u1"))
            .Write(ImportPhases.Groups, Lines.Group("g1", owner: "u0"), Lines.Group("g2", owner: "u1"))
            .Write(ImportPhases.GroupMembers, Lines.Member("g1", "u1"));
        rig.Im.LoseNextAnswers(FakeImApis.ImportGroup, times: 2);

        var (outcome, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Empty(rig.Rejects());
        Assert.Equal([0, 0], rig.Im.CallsTo(FakeImApis.GetGroupInfo).Select(call => call.ErrorCode));
        Assert.Equal(2, rig.Im.CallsTo(FakeImApis.ImportGroup).Count(call => call.ErrorCode == 10021));
        Assert.Equal(["g1", "g2"], rig.Im.GroupIds.Order());
        Assert.Equal(2, rig.Im.GetGroup("g1")!.Members.Count);
    }

    [Fact]
    public async Task A_group_id_im_already_has_for_another_group_is_rejected()
    {
        await using var rig = await ImportRig.StartAsync(callsPerSecond: 0);
        rig.Write(ImportPhases.Accounts, Lines.Account("u0"), Lines.Account("u1"));
        rig.Write(ImportPhases.Groups, Lines.Group("g1", owner: "u1"));
        await rig.RunAsync();
        File.Delete(rig.StatePath);
        rig.Write(ImportPhases.Groups, Lines.Group("g1", owner: "u0"));

        var (outcome, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.CompletedWithRejects, outcome);
        var reject = Assert.Single(rig.Rejects());
        Assert.Equal(10021, reject.GetProperty("errorCode").GetInt32());
        Assert.Contains("owner \"u1\" (line: \"u0\")", reject.GetProperty("errorInfo").GetString(), StringComparison.Ordinal);
        Assert.Equal("u1", rig.Im.GetGroup("g1")!.Owner);
    }
}
