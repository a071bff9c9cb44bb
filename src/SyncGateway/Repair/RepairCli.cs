using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.FromIm;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.Repair;

/// <summary>
/// <c>SyncGateway repair --from &lt;t&gt; --to &lt;t&gt; [--groups …] [--c2c …] [--dry-run]</c>: runs a gap repair for a
/// window, prints what it found and what it relayed, and the IM calls it made. Its own small host: configuration from
/// appsettings and environment variables like the gateway's, logs to stderr, the gateway's Redis (what was relayed,
/// what was active) and a send-only bus into the gateway's relay queues.
/// </summary>
internal static class RepairCli
{
    public const string CommandName = "repair";

    /// <summary>IM keeps 1:1 history for 7 days by default (its roaming period): a longer window cannot be read whole.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(7);

    private const int Succeeded = 0;
    private const int Failed = 1;
    private const int Interrupted = 130;

    private const string Description = "SyncGateway: Tencent IM ↔ legacy chat sync";

    /// <summary>Parses <paramref name="args"/> (starting with <c>repair</c>) and runs the command; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args) => RunAsync(args, settings: null, Console.Out, Console.Error);

    /// <param name="args">The command line, starting with <c>repair</c>.</param>
    /// <param name="settings">Configuration over appsettings and the environment (tests).</param>
    /// <param name="output">The progress display and the summary.</param>
    /// <param name="error">Invalid input and errors, one line each.</param>
    public static async Task<int> RunAsync(string[] args, IEnumerable<KeyValuePair<string, string?>>? settings, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var cli = new RepairArguments();
        var (parsed, errors) = cli.Parse(args);
        if (errors.Count > 0)
        {
            foreach (var message in errors)
            {
                await error.WriteLineAsync(message);
            }
            return Failed;
        }
        // --help and the root's own options have an action; the command itself has none.
        if (parsed.Action is not null)
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        }
        return await ExecuteAsync(cli.Request(parsed), settings, output, error);
    }

    /// <summary>The request <paramref name="args"/> make, or the errors naming what is wrong with them.</summary>
    public static (RepairRequest? Request, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
    {
        var cli = new RepairArguments();
        var (parsed, errors) = cli.Parse(args);
        return errors.Count > 0 ? (null, errors) : (cli.Request(parsed), []);
    }

    private static async Task<int> ExecuteAsync(RepairRequest request, IEnumerable<KeyValuePair<string, string?>>? settings, TextWriter output, TextWriter error)
    {
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (!stop.IsCancellationRequested)
            {
                error.WriteLine("Stopping: the calls in flight are abandoned; what was relayed stays relayed, and a rerun skips it");
                stop.Cancel();
            }
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        IHost? host = null;
        var started = false;
        try
        {
            host = BuildHost(request.DryRun, settings);
            await host.StartAsync(stop.Token);
            started = true;
            var run = host.Services.GetRequiredService<RepairRun>();
            var console = RepairConsole.For(output);
            await console.ShowAsync([run.Groups, run.Conversations], run.RunAsync(request, stop.Token));
            console.WriteSummary(request, run.Report, run.Busy);
            return Succeeded;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await error.WriteLineAsync("Interrupted.");
            return Interrupted;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync("Configuration is invalid: " + string.Join("; ", e.Failures));
            return Failed;
        }
        catch (RepairSetupException e)
        {
            await error.WriteLineAsync(e.Message);
            return Failed;
        }
#pragma warning disable CA1031 // Whatever stopped the run (IM, Redis, the broker, a bad setting) is one line for the operator, not a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await error.WriteLineAsync($"The repair stopped on an error: {e.Message}");
            return Failed;
        }
        finally
        {
            if (started)
            {
                await host!.StopAsync(CancellationToken.None);
            }
            host?.Dispose();
        }
    }

    private static IHost BuildHost(bool dryRun, IEnumerable<KeyValuePair<string, string?>>? settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        // stdout belongs to the progress display and the summary.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        if (string.IsNullOrWhiteSpace(builder.ReadOptions<RedisOptions>(RedisOptions.SectionName).Configuration))
        {
            throw new RepairSetupException("Redis:Configuration is not set: the repair learns from the gateway's Redis what was relayed and which groups and conversations were active. Set Redis__Configuration (and Redis__KeyPrefix) as the gateway has them.");
        }
        if (!dryRun && string.IsNullOrWhiteSpace(builder.ReadOptions<RabbitMqOptions>(RabbitMqOptions.SectionName).Uri))
        {
            throw new RepairSetupException("RabbitMq:Uri is not set: repaired events go into the gateway's relay queues. Set RabbitMq__Uri as the gateway has it, or run with --dry-run.");
        }
        builder.AddStore();
        builder.AddLedger();
        builder.AddImRestClient();
        builder.AddImCallbacks();
        if (dryRun)
        {
            builder.Services.AddSingleton<IEventPublisher, DryRunPublisher>();
        }
        else
        {
            builder.AddRelayPublisher();
        }
        builder.AddRepairers(new RepairSwitch(false));
        builder.Services.AddSingleton<RepairRun>();
        return builder.Build();
    }

    /// <summary>The command's options and how they make a <see cref="RepairRequest"/>.</summary>
    private sealed class RepairArguments
    {
        private readonly Option<DateTimeOffset?> _from = new("--from")
        {
            Description = "Start of the window, inclusive: Unix seconds or ISO 8601 (UTC unless it names an offset)",
            Required = true,
            CustomParser = ParseTime,
        };

        private readonly Option<DateTimeOffset?> _to = new("--to")
        {
            Description = "End of the window, inclusive: Unix seconds or ISO 8601",
            Required = true,
            CustomParser = ParseTime,
        };

        private readonly Option<string[]> _groups = new("--groups")
        {
            Description = "Only these groups (space- or comma-separated): each is tail-checked and all its open holes repaired now; the window does not bound them",
            AllowMultipleArgumentsPerToken = true,
            Arity = ArgumentArity.OneOrMore,
            CustomParser = ParseGroups,
        };

        private readonly Option<C2CPair[]> _c2c = new("--c2c")
        {
            Description = "Only these 1:1 conversations, each account:account (space- or comma-separated), read over the window",
            AllowMultipleArgumentsPerToken = true,
            Arity = ArgumentArity.OneOrMore,
            CustomParser = ParsePairs,
        };

        private readonly Option<bool> _dryRun = new("--dry-run") { Description = "Relay nothing: print each missing message found (its MsgKey, or group and MsgSeq) and their count" };

        public RepairArguments()
        {
            Command = new Command(CommandName, "Repair what IM never called back for, from IM's history: groups by their MsgSeq holes, 1:1 conversations over a window")
            {
                _from, _to, _groups, _c2c, _dryRun,
            };
        }

        public Command Command { get; }

        /// <summary>Parses <paramref name="args"/>; the errors are the parser's, then the window's once both bounds parsed.</summary>
        public (ParseResult Parsed, IReadOnlyList<string> Errors) Parse(IReadOnlyList<string> args)
        {
            var parsed = new RootCommand(Description) { Command }.ParseWithoutResponseFiles(args);
            if (parsed.Errors.Count > 0)
            {
                return (parsed, [.. parsed.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal)]);
            }
            return (parsed, parsed.Action is null && WindowError(parsed.GetValue(_from), parsed.GetValue(_to)) is { } window ? [window] : []);
        }

        public RepairRequest Request(ParseResult parsed)
            => new(
                parsed.GetValue(_from)!.Value,
                parsed.GetValue(_to)!.Value,
                parsed.GetResult(_groups) is null ? null : parsed.GetValue(_groups),
                parsed.GetResult(_c2c) is null ? null : parsed.GetValue(_c2c),
                parsed.GetValue(_dryRun));

        private static string? WindowError(DateTimeOffset? from, DateTimeOffset? to)
            => (from, to) switch
            {
                ({ } f, { } t) when f > t => $"--from {Show(f)} is after --to {Show(t)}",
                ({ } f, { } t) when t - f > MaxWindow => string.Create(CultureInfo.InvariantCulture,
                    $"The window {Show(f)} to {Show(t)} is longer than {MaxWindow.TotalDays:0} days, IM's default roaming period (older history is gone): repair at most {MaxWindow.TotalDays:0} days at a time"),
                _ => null,
            };

        private static string Show(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        private static DateTimeOffset? ParseTime(ArgumentResult result)
        {
            var text = result.Tokens.Single().Value;
            var name = (result.Parent as OptionResult)?.Option.Name;
            if (UnixTime.Parse(text) is { } time)
            {
                // Whole seconds, as IM's history is queried.
                return DateTimeOffset.FromUnixTimeSeconds(time.ToUnixTimeSeconds());
            }
            result.AddError($"{name} \"{text}\" is neither Unix seconds nor an ISO 8601 time");
            return null;
        }

        private static string[] ParseGroups(ArgumentResult result)
        {
            var groups = Split(result).Distinct(StringComparer.Ordinal).ToArray();
            if (groups.Length == 0)
            {
                result.AddError("--groups names no group");
            }
            return groups;
        }

        private static C2CPair[] ParsePairs(ArgumentResult result)
        {
            var tokens = Split(result).ToList();
            if (tokens.Count == 0)
            {
                result.AddError("--c2c names no conversation");
            }
            var pairs = new List<C2CPair>();
            foreach (var token in tokens)
            {
                var parts = token.Split(':');
                if (parts is [{ Length: > 0 } a, { Length: > 0 } b])
                {
                    pairs.Add(C2CPair.Of(a, b));
                }
                else
                {
                    result.AddError($"--c2c \"{token}\" is not a conversation: name it by its two accounts, account:account (e.g. u_1:u_2)");
                }
            }
            return [.. pairs.Distinct()];
        }

        private static IEnumerable<string> Split(ArgumentResult result)
            => result.Tokens.SelectMany(token => token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    /// <summary>A dry run reads and classifies but publishes nothing; a publish would be a bug.</summary>
    private sealed class DryRunPublisher : IEventPublisher
    {
        public Task PublishAsync(ISyncEvent message, CancellationToken cancellationToken)
            => throw new InvalidOperationException("A dry run publishes nothing.");
    }
}

/// <summary>The repair command cannot run with this configuration; the message says what to set.</summary>
internal sealed class RepairSetupException(string message) : Exception(message);
