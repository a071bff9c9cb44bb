using SyncGateway.Repair;

namespace SyncGateway.Tests.Repair;

public sealed class RepairCliTests
{
    private static readonly DateTimeOffset From = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600); // 2026-01-01T00:00:00Z

    [Fact]
    public void Takes_unix_seconds_and_iso_8601_times_both_as_whole_utc_seconds()
    {
        var request = Valid("repair", "--from", "1767225600", "--to", "2026-01-01T02:30:00.750+01:00");

        Assert.Equal(From, request.From);
        Assert.Equal(From.AddMinutes(90), request.To);
        Assert.False(request.DryRun);
    }

    [Fact]
    public void Without_groups_or_conversations_both_parts_run_over_everything()
    {
        var request = Valid("repair", "--from", "1767225600", "--to", "1767229200", "--dry-run");

        Assert.True(request.DryRun);
        Assert.Null(request.Groups);
        Assert.Null(request.Conversations);
        Assert.True(request.RunsGroups);
        Assert.True(request.RunsConversations);
    }

    [Fact]
    public void Groups_come_space_or_comma_separated_and_limit_the_run_to_the_group_part()
    {
        var request = Valid("repair", "--from", "1767225600", "--to", "1767229200", "--groups", "g1", "g2,g3", "--groups", "g1");

        Assert.Equal(["g1", "g2", "g3"], request.Groups);
        Assert.True(request.RunsGroups);
        Assert.False(request.RunsConversations);
    }

    [Fact]
    public void Group_ids_starting_with_an_at_sign_are_ids_not_response_files()
        => Assert.Equal(["@TGS#2KDFJ3ASL"], Valid("repair", "--from", "1767225600", "--to", "1767229200", "--groups", "@TGS#2KDFJ3ASL").Groups);

    [Fact]
    public void Conversations_are_account_pairs_in_subject_order_and_limit_the_run_to_the_1_1_part()
    {
        var request = Valid("repair", "--from", "1767225600", "--to", "1767229200", "--c2c", "u_2:u_1", "u_3:u_4,u_1:u_2");

        Assert.Equal([new C2CPair("u_1", "u_2"), new C2CPair("u_3", "u_4")], request.Conversations);
        Assert.False(request.RunsGroups);
        Assert.True(request.RunsConversations);
    }

    [Fact]
    public void Naming_both_runs_both_parts_limited()
    {
        var request = Valid("repair", "--from", "1767225600", "--to", "1767229200", "--groups", "g1", "--c2c", "a:b");

        Assert.True(request.RunsGroups);
        Assert.True(request.RunsConversations);
    }

    [Fact]
    public void A_window_of_exactly_seven_days_is_accepted()
        => Valid("repair", "--from", "1767225600", "--to", (From + RepairCli.MaxWindow).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("--from 1767229200 --to 1767225600", "--from 2026-01-01T01:00:00Z is after --to 2026-01-01T00:00:00Z")]
    [InlineData("--from yesterday --to 1767225600", "--from \"yesterday\" is neither Unix seconds nor an ISO 8601 time")]
    [InlineData("--from 1767225600 --to 99999999999999999", "--to \"99999999999999999\" is neither Unix seconds nor an ISO 8601 time")]
    [InlineData("--from 1767225600 --to 1767830401", "The window 2026-01-01T00:00:00Z to 2026-01-08T00:00:01Z is longer than 7 days, IM's default roaming period (older history is gone): repair at most 7 days at a time")]
    [InlineData("--from 1767225600 --to 1767229200 --c2c u_1u_2", "--c2c \"u_1u_2\" is not a conversation: name it by its two accounts, account:account (e.g. u_1:u_2)")]
    [InlineData("--from 1767225600 --to 1767229200 --c2c a:b:c", "--c2c \"a:b:c\" is not a conversation: name it by its two accounts, account:account (e.g. u_1:u_2)")]
    [InlineData("--from 1767225600 --to 1767229200 --c2c :b", "--c2c \":b\" is not a conversation: name it by its two accounts, account:account (e.g. u_1:u_2)")]
    [InlineData("--from 1767225600 --to 1767229200 --c2c ,", "--c2c names no conversation")]
    [InlineData("--from 1767225600 --to 1767229200 --groups ,", "--groups names no group")]
    public void Invalid_input_is_one_line_naming_the_problem(string args, string error)
    {
        var (request, errors) = RepairCli.Parse(["repair", .. args.Split(' ')]);

        Assert.Null(request);
        Assert.Equal([error], errors);
    }

    [Fact]
    public void A_missing_bound_is_named()
    {
        var (_, errors) = RepairCli.Parse(["repair", "--from", "1767225600"]);

        Assert.Contains(errors, e => e.Contains("--to", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Invalid_input_exits_1_with_the_problem_on_stderr_and_nothing_on_stdout()
    {
        var (exitCode, output, error) = await RunAsync(["repair", "--from", "1767229200", "--to", "1767225600"]);

        Assert.Equal(1, exitCode);
        Assert.Equal("--from 2026-01-01T01:00:00Z is after --to 2026-01-01T00:00:00Z", error.Trim());
        Assert.Empty(output);
    }

    [Fact]
    public async Task Without_redis_it_refuses_with_one_line_saying_what_to_set()
    {
        var (exitCode, _, error) = await RunAsync(["repair", "--from", "1767225600", "--to", "1767229200", "--dry-run"],
            new() { ["Redis:Configuration"] = "" });

        Assert.Equal(1, exitCode);
        Assert.StartsWith("Redis:Configuration is not set", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Without_rabbitmq_only_a_dry_run_is_allowed()
    {
        var (exitCode, _, error) = await RunAsync(["repair", "--from", "1767225600", "--to", "1767229200"],
            new() { ["Redis:Configuration"] = "localhost:1", ["RabbitMq:Uri"] = "" });

        Assert.Equal(1, exitCode);
        Assert.StartsWith("RabbitMq:Uri is not set", error, StringComparison.Ordinal);
        Assert.Contains("--dry-run", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_lists_the_options_and_exits_0()
    {
        var (exitCode, output, _) = await RunAsync(["repair", "--help"]);

        Assert.Equal(0, exitCode);
        Assert.Contains("--groups", output, StringComparison.Ordinal);
        Assert.Contains("--c2c", output, StringComparison.Ordinal);
        Assert.Contains("--dry-run", output, StringComparison.Ordinal);
    }

    private static RepairRequest Valid(params string[] args)
    {
        var (request, errors) = RepairCli.Parse(args);
        Assert.Empty(errors);
        return Assert.IsType<RepairRequest>(request);
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string[] args, Dictionary<string, string?>? settings = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await RepairCli.RunAsync(args, settings, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
