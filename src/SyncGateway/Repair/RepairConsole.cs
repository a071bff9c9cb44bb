using System.Globalization;
using Spectre.Console;

namespace SyncGateway.Repair;

/// <summary>
/// Shows a repair command's run like the import's: a progress bar per part on a terminal (Spectre.Console), plain
/// periodic lines when output is redirected; then each missing message found, their count, the outcomes and the IM
/// calls made by API.
/// </summary>
internal sealed class RepairConsole(TextWriter output, bool interactive, TimeSpan interval)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    private static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(5);

    /// <summary>Bars only when <paramref name="output"/> is the console of a terminal.</summary>
    public static RepairConsole For(TextWriter output)
        => new(output, output == Console.Out && AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected, LineInterval);

    /// <summary>Shows <paramref name="run"/>'s parts until it ends; a run that throws rethrows here.</summary>
    public async Task ShowAsync(IReadOnlyList<RepairPart> parts, Task run)
    {
        if (interactive)
        {
            await ShowBarsAsync(parts, run);
        }
        else
        {
            await ShowLinesAsync(parts, run);
        }
        await run;
    }

    public void WriteSummary(RepairRequest request, RepairReport report, IReadOnlyList<GroupRef> busy)
    {
        var label = request.DryRun ? "missing" : "repaired";
        output.WriteLine();
        foreach (var item in report.MissingItems.Order(StringComparer.Ordinal))
        {
            output.WriteLine($"{label} {item}");
        }
        output.WriteLine(request.DryRun
            ? $"{Count(report.MissingItems.Count)} missing (dry run: nothing relayed)"
            : $"{Count(report.MissingItems.Count)} repaired (relayed to legacy with syncrepaired: true)");
        output.WriteLine("outcomes: " + List(Enum.GetValues<RepairOutcome>().Where(o => report.Count(o) > 0)
            .Select(o => (RepairReport.Names.Of(o), report.Count(o)))));
        output.WriteLine("IM calls: " + List(report.Calls.Select(c => (c.Key, c.Value))));
        foreach (var group in busy)
        {
            output.WriteLine($"group {group}: not repaired here, a gateway replica holds its repair lock (it is repairing it now)");
        }
        output.Flush();
    }

    private static async Task ShowBarsAsync(IReadOnlyList<RepairPart> parts, Task run)
    {
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<RepairPart, ProgressTask>();
                while (true)
                {
                    foreach (var part in parts.Where(part => part.Started))
                    {
                        if (!tasks.TryGetValue(part, out var task))
                        {
                            task = context.AddTask(part.Name, maxValue: Math.Max(1, part.Total));
                            tasks[part] = task;
                        }
                        task.Value = part.Finished ? task.MaxValue : part.Done;
                        task.Description = Markup.Escape(Describe(part));
                        if (part.Finished && !task.IsFinished)
                        {
                            task.StopTask();
                        }
                    }
                    context.Refresh();
                    if (run.IsCompleted)
                    {
                        break;
                    }
                    await Task.WhenAny(run, Task.Delay(RefreshInterval));
                }
            });
    }

    private async Task ShowLinesAsync(IReadOnlyList<RepairPart> parts, Task run)
    {
        var reported = new HashSet<RepairPart>();
        while (true)
        {
            foreach (var part in parts.Where(part => part.Started))
            {
                if (!part.Finished)
                {
                    await output.WriteLineAsync($"repair {Describe(part)}");
                }
                else if (reported.Add(part))
                {
                    await output.WriteLineAsync($"repair {Describe(part)} [done]");
                }
            }
            if (run.IsCompleted)
            {
                return;
            }
            await Task.WhenAny(run, Task.Delay(interval));
        }
    }

    private static string Describe(RepairPart part)
        => string.Create(CultureInfo.InvariantCulture, $"{part.Name}: {part.Done:N0} of {part.Total:N0}");

    private static string List(IEnumerable<(string Name, long Count)> counts)
    {
        var items = counts.OrderBy(c => c.Name, StringComparer.Ordinal).Select(c => $"{c.Name} {Count(c.Count)}").ToList();
        return items.Count == 0 ? "none" : string.Join(", ", items);
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
