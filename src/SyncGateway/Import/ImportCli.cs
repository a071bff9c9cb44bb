using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using SyncGateway.Hosting;
using SyncGateway.Im;
using SyncGateway.Ledger;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Store;

namespace SyncGateway.Import;

/// <summary>
/// <c>SyncGateway import &lt;folder&gt;</c>: the history import as a command of the gateway's executable, with its own
/// small host (configuration from appsettings and environment variables, logging to stderr, the IM REST client).
/// </summary>
internal static class ImportCli
{
    public const string CommandName = "import";

    private const int Succeeded = 0;
    private const int Failed = 1;
    private const int CompletedWithRejects = 2;
    private const int Interrupted = 130;

    /// <summary>Parses <paramref name="args"/> (starting with <c>import</c>) and runs the command; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("SyncGateway: Tencent IM ↔ legacy chat sync") { CreateCommand() };
        // Ctrl+C and SIGTERM are handled by the command itself: the first stops gracefully, the second aborts.
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    public static Command CreateCommand()
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "Folder with one JSONL file per kind (docs/import-format.md)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate every line of every file, and that the accounts and groups lines name are in the folder; plan the batches; call nothing" };
        var only = new Option<string[]>("--only")
        {
            Description = "Run only these phases: " + string.Join(", ", ImportPhases.Names),
            AllowMultipleArgumentsPerToken = true,
            CustomParser = ParsePhases,
        };
        var state = new Option<FileInfo>("--state")
        {
            Description = "Checkpoint file; rerun with the same file to resume",
            DefaultValueFactory = _ => new FileInfo("import-state.json"),
        };
        var rejects = new Option<FileInfo>("--rejects")
        {
            Description = "JSONL file for refused and invalid lines (appended)",
            DefaultValueFactory = _ => new FileInfo("import-rejects.jsonl"),
        };
        var until = new Option<long?>("--until")
        {
            Description = "Cut-off: leave messages at or after this time to the live sync (Unix seconds or ISO 8601)",
            CustomParser = ParseUntil,
        };
        // The default shown is the options class's own, so the help cannot drift from it.
        var defaults = new ImportOptions();
        var parallel = new Option<int?>("--parallel")
        {
            Description = $"IM calls in flight at once (Import:Parallelism, default {defaults.Parallelism.ToString(CultureInfo.InvariantCulture)})",
        };
        var rate = new Option<int?>("--calls-per-second") { Description = "Calls per second per IM API (Im:RestCallsPerSecond, default each API's documented limit)" };

        var command = new Command(CommandName, "Import legacy chat history into Tencent IM: resumable, at the rate limit")
        {
            folder, dryRun, only, state, rejects, until, parallel, rate,
        };
        command.SetAction((result, _) => ExecuteAsync(
            new ImportRequest(
                result.GetRequiredValue(folder).FullName,
                result.GetValue(dryRun),
                result.GetValue(only) is { Length: > 0 } phases ? phases.ToHashSet(StringComparer.Ordinal) : null,
                result.GetRequiredValue(state).FullName,
                result.GetRequiredValue(rejects).FullName,
                result.GetValue(until)),
            result.GetValue(parallel),
            result.GetValue(rate)));
        return command;
    }

    private static async Task<int> ExecuteAsync(ImportRequest request, int? parallel, int? callsPerSecond)
    {
        using var stop = new CancellationTokenSource();
        using var abort = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            if (stop.IsCancellationRequested)
            {
                abort.Cancel();
                return;
            }
            Console.Error.WriteLine("Stopping after the calls in flight (press Ctrl+C again to abandon them)…");
            stop.Cancel();
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        using var host = BuildHost(request.DryRun, parallel, callsPerSecond);
        var started = false;
        try
        {
            var options = host.Services.GetRequiredService<IOptions<ImportOptions>>().Value;
            ImportRunner.ResolveFolder(request.Folder);
            IImRestClient? client = null;
            if (!request.DryRun)
            {
                await host.StartAsync(stop.Token);
                started = true;
                client = host.Services.GetRequiredService<IImRestClient>();
            }
            // At each rate-limit window edge up to Parallelism calls complete at once; a pool that has to inject threads
            // for them delays the next round by up to a second (measured on 2 cores), which costs ~20 % of the rate.
            ThreadPool.GetMinThreads(out var workers, out var io);
            ThreadPool.SetMinThreads(Math.Max(workers, 2 * options.Parallelism), Math.Max(io, 2 * options.Parallelism));
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SyncGateway.Import");
            var live = host.Services.GetService<MessageLedger>() is { } ledger
                ? new LiveSync(ledger, host.Services.GetRequiredService<ConversationHolds>(), host.Services.GetRequiredService<OriginTags>())
                : null;
            var runner = new ImportRunner(client, options, logger, TimeProvider.System, live);
            var outcome = await ImportConsole.ForTerminal(options.ProgressInterval)
                .ShowAsync(runner.Phases, runner.RunAsync(request, stop.Token, abort.Token));
            return outcome switch
            {
                ImportOutcome.Completed => Succeeded,
                ImportOutcome.CompletedWithRejects => CompletedWithRejects,
                ImportOutcome.Stopped => Interrupted,
                _ => Failed,
            };
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync("Configuration is invalid: " + string.Join("; ", e.Failures));
            return Failed;
        }
        catch (Exception e) when (e is ImportSetupException or ImportStateException)
        {
            await Console.Error.WriteLineAsync(e.Message);
            return Failed;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return Interrupted;
        }
        finally
        {
            if (started)
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
    }

    private static IHost BuildHost(bool dryRun, int? parallel, int? callsPerSecond)
    {
        var builder = Host.CreateApplicationBuilder();
        var overrides = new Dictionary<string, string?>();
        if (parallel is { } p)
        {
            overrides[$"{ImportOptions.SectionName}:{nameof(ImportOptions.Parallelism)}"] = p.ToString(CultureInfo.InvariantCulture);
        }
        if (callsPerSecond is { } r)
        {
            overrides[$"{ImOptions.SectionName}:{nameof(ImOptions.RestCallsPerSecond)}"] = r.ToString(CultureInfo.InvariantCulture);
        }
        builder.Configuration.AddInMemoryCollection(overrides);
        // stdout belongs to the progress display and the summary.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.AddImport();
        if (!dryRun)
        {
            builder.AddImRestClient();
            // With the gateway's Redis, imported messages go into the message id ledger live sync reads, and live sync
            // holds the conversations whose history is being written.
            if (!string.IsNullOrWhiteSpace(builder.ReadOptions<RedisOptions>(RedisOptions.SectionName).Configuration))
            {
                builder.AddStore();
                builder.AddLedger();
                builder.Services.TryAddSingleton<ConversationHolds>();
                builder.AddValidatedOptions<SyncOptions>(SyncOptions.SectionName, MessagingRegistration.ValidateSync);
                builder.Services.TryAddSingleton<OriginTags>();
            }
        }
        return builder.Build();
    }

    private static string[] ParsePhases(ArgumentResult result)
    {
        var phases = result.Tokens
            .SelectMany(token => token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
        foreach (var phase in phases.Where(phase => !ImportPhases.Names.Contains(phase)))
        {
            result.AddError($"Unknown phase \"{phase}\"; phases are {string.Join(", ", ImportPhases.Names)}");
        }
        return phases;
    }

    private static long? ParseUntil(ArgumentResult result)
    {
        var text = result.Tokens.Single().Value;
        if (UnixTime.Parse(text) is { } time)
        {
            return time.ToUnixTimeSeconds();
        }
        result.AddError($"--until \"{text}\" is neither Unix seconds nor an ISO 8601 time");
        return null;
    }
}
