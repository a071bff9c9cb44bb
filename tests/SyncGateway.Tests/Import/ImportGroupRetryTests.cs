using System.Text.Json;
using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

/// <summary>An <c>import_group</c> that went through but timed out is retried and answered 10021 (group id in use).</summary>
public sealed class ImportGroupRetryTests : IDisposable
{
    private const string Line = """{"groupId":"g1","type":"Private","name":"Ops team","owner":"u1","createTime":1600000000}""";

    private readonly ImportFolder _folder = new();
    private readonly RecordingImClient _im = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Counts_a_group_as_imported_when_the_retry_finds_it_with_the_lines_type_name_owner_and_creation_time()
    {
        _folder.Write(ImportPhases.Groups, Line);
        AnswerTimeoutThenInUse(GroupInfo("""{"GroupId":"g1","ErrorCode":0,"ErrorInfo":"","Type":"Work","Name":"Ops team","Owner_Account":"u1","CreateTime":1600000000}"""));

        var (outcome, runner) = await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.Completed, outcome);
        Assert.Empty(_folder.Rejects());
        Assert.Equal([ImApi.ImportGroup, ImApi.ImportGroup, ImApi.GetGroupInfo], _im.Calls.Select(call => call.Api));
        var query = _im.CallsTo(ImApi.GetGroupInfo).Single();
        Assert.Equal(["g1"], query.Array("GroupIdList").Select(id => id.GetString()));
        Assert.Equal(
            ["Type", "Name", "Owner_Account", "CreateTime"],
            query.Body.GetProperty("ResponseFilter").GetProperty("GroupBaseInfoFilter").EnumerateArray().Select(field => field.GetString()));
        var groups = runner.Phases.Single(phase => phase.Name == ImportPhases.Groups);
        Assert.Equal(1, groups.Items);
        Assert.Equal(3, groups.Calls);
    }

    [Theory]
    [InlineData("""{"GroupId":"g1","ErrorCode":0,"Type":"Private","Name":"Ops team","Owner_Account":"u7","CreateTime":1600000000}""", "owner \"u7\" (line: \"u1\")")]
    [InlineData("""{"GroupId":"g1","ErrorCode":0,"Type":"Private","Name":"Ops team","Owner_Account":"u1","CreateTime":1700000000}""", "createTime 1700000000 (line: 1600000000)")]
    [InlineData("""{"GroupId":"g1","ErrorCode":0,"Type":"Public","Name":"Other","Owner_Account":"u1","CreateTime":1600000000}""", "type Public (line: Private), name \"Other\" (line: \"Ops team\")")]
    [InlineData("""{"GroupId":"g1","ErrorCode":10010,"ErrorInfo":"group dismissed"}""", "get_group_info answered ErrorCode 10010: group dismissed")]
    public async Task Rejects_the_line_when_the_group_im_has_under_its_id_is_not_the_lines(string info, string difference)
    {
        _folder.Write(ImportPhases.Groups, Line);
        AnswerTimeoutThenInUse(GroupInfo(info));

        var (outcome, _) = await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.CompletedWithRejects, outcome);
        var reject = Assert.Single(_folder.Rejects());
        Assert.Equal(10021, reject.GetProperty("errorCode").GetInt32());
        Assert.Equal("group_open_http_svc/import_group", reject.GetProperty("api").GetString());
        Assert.Contains(difference, reject.GetProperty("errorInfo").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Does_not_look_up_groups_im_refused_for_another_reason()
    {
        _folder.Write(ImportPhases.Groups, Line);
        _im.Answer = call => throw new ImPermanentException(call.Api, 10004, "invalid parameter");

        var (outcome, _) = await _folder.RunAsync(_im);

        Assert.Equal(ImportOutcome.CompletedWithRejects, outcome);
        Assert.Empty(_im.CallsTo(ImApi.GetGroupInfo));
        Assert.Equal(10004, Assert.Single(_folder.Rejects()).GetProperty("errorCode").GetInt32());
    }

    private void AnswerTimeoutThenInUse(JsonElement groupInfo)
    {
        var imports = 0;
        _im.Answer = call => call.Api == ImApi.GetGroupInfo
            ? groupInfo
            : Interlocked.Increment(ref imports) == 1
                ? throw new ImTransientException(call.Api, ImErrorClassification.NoAnswer, "timed out")
                : throw new ImPermanentException(call.Api, 10021, "group id already used");
    }

    private static JsonElement GroupInfo(string info)
        => RecordingImClient.Json($$"""{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","GroupInfo":[{{info}}]}""");
}
