using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using SyncGateway.Hosting;
using SyncGateway.Messaging;

namespace SyncGateway.Admin.Cli;

/// <summary>
/// The <c>admin</c> command line: its commands and options, the checks made before any call (a reason for every
/// replay and discard, known directions and states), and the <see cref="AdminRequest"/> each valid line makes.
/// </summary>
internal sealed class AdminCommandLine
{
    public const string CommandName = "admin";

    /// <summary>The gateway's default <c>Admin:Urls</c>.</summary>
    public static readonly Uri DefaultUrl = new("http://127.0.0.1:5081");

    private static readonly string[] Directions = [RelayDirection.ImToLegacy.Name, RelayDirection.LegacyToIm.Name];

    private static readonly string[] States = ["faulted", "parked"];

    private readonly Option<Uri> _url = new("--url")
    {
        Description = "The gateway's admin listener (its Admin__Urls)",
        DefaultValueFactory = _ => DefaultUrl,
        CustomParser = ParseUrl,
        Recursive = true,
    };

    private readonly Option<bool> _json = new("--json") { Description = "Print the API's JSON answer, indented, instead of tables", Recursive = true };

    private readonly Dictionary<Command, Func<ParseResult, AdminRequest>> _requests = [];

    private readonly Command _command;

    public AdminCommandLine()
    {
        _command = new Command(CommandName, $"The gateway's admin API: status, event lookups, pause and resume, faults; the bearer token comes from {AdminCli.TokenVariable}")
        {
            _url, _json, Status(), Events(), Pause(pause: true), Pause(pause: false), Faults(),
        };
    }

    /// <summary>Parses <paramref name="args"/> (starting with <c>admin</c>): the call, or the errors; neither for <c>--help</c>, whose action the result holds.</summary>
    public (ParseResult Parsed, AdminInvocation? Invocation, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
    {
        var parsed = new RootCommand(AdminCli.Description) { _command }.ParseWithoutResponseFiles(args);
        if (parsed.Errors.Count > 0)
        {
            return (parsed, null, [.. parsed.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal)]);
        }
        var command = parsed.CommandResult.Command;
        if (parsed.Action != command.Action)
        {
            return (parsed, null, []);
        }
        return (parsed, new AdminInvocation(parsed.GetRequiredValue(_url), parsed.GetValue(_json), _requests[command](parsed)), []);
    }

    private Command Status()
        => Leaf(
            new Command("status", "Per direction: paused, queue depth, consumers, oldest event age, spool depth, faulted, error queue and parked counts"),
            _ => new AdminRequest(HttpMethod.Get, "admin/status", null, AdminView.Status));

    private Command Events()
    {
        var id = new Argument<string?>("id") { Description = "The event's CloudEvent id", Arity = ArgumentArity.ZeroOrOne };
        var msgKey = new Option<string>("--msg-key") { Description = "Every event that carried the 1:1 message with this IM MsgKey" };
        var group = new Option<string>("--group") { Description = "With --seq: every event that carried this group's message" };
        var seq = new Option<long?>("--seq") { Description = "The group message's MsgSeq", CustomParser = ParseSeq };
        var legacyId = new Option<string>("--legacy-id") { Description = "Every event that carried the message with this legacy message id" };
        var command = new Command("events", "Delivery ledger entries (direction, type, trace id, steps in order): one event by id, or every event that carried a message")
        {
            id, msgKey, group, seq, legacyId,
        };
        command.Validators.Add(result =>
        {
            bool[] named = [result.GetValue(id) is not null, Given(result, msgKey), Given(result, group) || Given(result, seq), Given(result, legacyId)];
            if (named.Count(given => given) != 1)
            {
                result.AddError("Name one event: its id, --msg-key, --group with --seq, or --legacy-id");
            }
            else if (Given(result, group) != Given(result, seq))
            {
                result.AddError("--group and --seq go together: the group and the message's MsgSeq in it");
            }
        });
        return Leaf(command, parsed => parsed.GetValue(id) is { } eventId
            ? new AdminRequest(HttpMethod.Get, "admin/events/" + Uri.EscapeDataString(eventId), null, AdminView.Event)
            : new AdminRequest(
                HttpMethod.Get,
                "admin/events" + Query(("msgKey", parsed.GetValue(msgKey)), ("group", parsed.GetValue(group)), ("seq", Number(parsed.GetValue(seq))), ("legacyId", parsed.GetValue(legacyId))),
                null,
                AdminView.Events));
    }

    private Command Pause(bool pause)
    {
        var name = pause ? "pause" : "resume";
        var direction = new Argument<string>("direction") { Description = string.Join(" or ", Directions), CustomParser = ParseDirection };
        var command = new Command(name, pause
            ? "Hold a direction's events on every replica (they wait in RabbitMQ, in order)"
            : "Let a direction's events through again on every replica")
        {
            direction,
        };
        return Leaf(command, parsed => new AdminRequest(HttpMethod.Post, $"admin/directions/{parsed.GetValue(direction)}/{name}", null, AdminView.Direction));
    }

    private Command Faults()
    {
        // "admin faults" lists, like "admin faults list"; each has its own filter options.
        var filter = new FaultFilter("--reason", "--match");
        var faults = Leaf(new Command("faults", "Events that failed for good (faulted) or wait in a parked conversation (parked): list (the default), show, replay, discard"), filter.ListRequest);
        filter.AddTo(faults);
        var listFilter = new FaultFilter("--reason", "--match");
        var list = Leaf(new Command("list", "Faults, filtered by direction, type, text in their reason or state"), listFilter.ListRequest);
        listFilter.AddTo(list);
        foreach (var command in new[] { list, Show(), Replay(), Discard() })
        {
            // A filter before the command would belong to "faults" and be dropped without a word.
            command.Validators.Add(result =>
            {
                if (filter.Options.FirstOrDefault(o => Given(result, o)) is { } misplaced)
                {
                    result.AddError($"{misplaced.Name} goes after the command: admin faults {command.Name} {misplaced.Name} …");
                }
            });
            faults.Subcommands.Add(command);
        }
        return faults;
    }

    private Command Show()
    {
        var id = new Argument<string>("id") { Description = "The fault's event id" };
        return Leaf(
            new Command("show", "One fault with its event") { id },
            parsed => new AdminRequest(HttpMethod.Get, "admin/faults/" + Uri.EscapeDataString(parsed.GetRequiredValue(id)), null, AdminView.Fault));
    }

    private Command Replay()
    {
        var id = new Argument<string?>("id") { Description = "The fault's event id", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all") { Description = "Every fault the filters match (at most --limit)" };
        var filter = new FaultFilter("--match");
        var reason = ReasonOption();
        var dryRun = new Option<bool>("--dry-run") { Description = "With --all: list the faults that would be replayed, replay none" };
        var command = new Command("replay", "Send a fault's event through again, or with --all every fault the filters match") { id, all, reason, dryRun };
        filter.AddTo(command);
        command.Validators.Add(result =>
        {
            var named = result.GetValue(id) is not null;
            if (named == result.GetValue(all))
            {
                result.AddError("Name one fault by its id, or replay every match with --all");
            }
            else if (named && filter.Options.Append(dryRun).FirstOrDefault(o => Given(result, o)) is { } stray)
            {
                result.AddError($"{stray.Name} goes with --all, not with one fault's id");
            }
        });
        RequireReason(command, reason);
        return Leaf(command, parsed => parsed.GetValue(id) is { } faultId
            ? new AdminRequest(HttpMethod.Post, $"admin/faults/{Uri.EscapeDataString(faultId)}/replay", Reason(parsed, reason), AdminView.FaultAction)
            : new AdminRequest(
                HttpMethod.Post,
                "admin/faults/replay" + Query([.. filter.Query(parsed), ("dryRun", parsed.GetValue(dryRun) ? "true" : "false")]),
                Reason(parsed, reason),
                AdminView.FaultReplay));
    }

    private Command Discard()
    {
        var id = new Argument<string>("id") { Description = "The fault's event id" };
        var reason = ReasonOption();
        var command = new Command("discard", "Give up on a fault's event: it is not delivered") { id, reason };
        RequireReason(command, reason);
        return Leaf(command, parsed => new AdminRequest(HttpMethod.Post, $"admin/faults/{Uri.EscapeDataString(parsed.GetRequiredValue(id))}/discard", Reason(parsed, reason), AdminView.FaultAction));
    }

    private Command Leaf(Command command, Func<ParseResult, AdminRequest> request)
    {
        _requests[command] = request;
        // System.CommandLine refuses a command with subcommands but no action ("admin faults" lists); the call itself is
        // made by AdminCli, which owns the writers and the exit code.
        command.SetAction(_ => { });
        return command;
    }

    private static Option<string> ReasonOption() => new("--reason") { Description = "Why (required): the gateway's audit line records it" };

    private static void RequireReason(Command command, Option<string> reason)
        => command.Validators.Add(result =>
        {
            // "--reason" with no value at all is the parser's error already.
            if (result.GetResult(reason) is not { } given || (given.Tokens is [var text] && string.IsNullOrWhiteSpace(text.Value)))
            {
                result.AddError("--reason is required: say why, the gateway's audit line records it");
            }
        });

    private static string Reason(ParseResult parsed, Option<string> reason) => parsed.GetRequiredValue(reason).Trim();

    private static bool Given(SymbolResult result, Option option) => result.GetResult(option) is not null;

    private static string Query(params IEnumerable<(string Name, string? Value)> parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    private static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static Uri? ParseUrl(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && url.Query.Length == 0 && url.Fragment.Length == 0)
        {
            return url;
        }
        result.AddError($"--url \"{text}\" is not an http:// or https:// URL (e.g. {DefaultUrl})");
        return null;
    }

    private static string? ParseDirection(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (Directions.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }
        result.AddError($"Unknown direction \"{text}\": {string.Join(" or ", Directions)}");
        return null;
    }

    private static string? ParseState(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (States.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }
        result.AddError($"Unknown state \"{text}\": {string.Join(" or ", States)}");
        return null;
    }

    private static long? ParseSeq(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return seq;
        }
        result.AddError($"--seq \"{text}\" is not a MsgSeq (a whole number)");
        return null;
    }

    private static int? ParseLimit(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0)
        {
            return limit;
        }
        result.AddError($"--limit \"{text}\" is not a positive whole number");
        return null;
    }

    /// <summary>The filters of a fault list and of a bulk replay; the query's <c>reason</c> is text in the fault's own reason.</summary>
    private sealed class FaultFilter
    {
        public FaultFilter(string matchName, params string[] matchAliases)
        {
            Match = new Option<string>(matchName, matchAliases) { Description = "Only faults whose reason contains this text" };
            Options = [Direction, Type, Match, State, Limit];
        }

        public Option<string> Direction { get; } = new("--direction") { Description = string.Join(" or ", Directions), CustomParser = ParseDirection };

        public Option<string> Type { get; } = new("--type") { Description = "Only events of this type (e.g. im.c2c.message.sent)" };

        public Option<string> Match { get; }

        public Option<string> State { get; } = new("--state") { Description = string.Join(" or ", States), CustomParser = ParseState };

        public Option<int?> Limit { get; } = new("--limit") { Description = "At most this many", CustomParser = ParseLimit };

        public IReadOnlyList<Option> Options { get; }

        public void AddTo(Command command)
        {
            foreach (var option in Options)
            {
                command.Options.Add(option);
            }
        }

        public IEnumerable<(string Name, string? Value)> Query(ParseResult parsed)
            =>
            [
                ("direction", parsed.GetValue(Direction)),
                ("type", parsed.GetValue(Type)),
                ("reason", parsed.GetValue(Match)),
                ("state", parsed.GetValue(State)),
                ("limit", Number(parsed.GetValue(Limit))),
            ];

        public AdminRequest ListRequest(ParseResult parsed) => new(HttpMethod.Get, "admin/faults" + AdminCommandLine.Query(Query(parsed)), null, AdminView.Faults);
    }
}
