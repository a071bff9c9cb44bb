using System.Globalization;
using Spectre.Console;

namespace SyncGateway.Import;

/// <summary>
/// Shows a run: a progress bar per phase on a terminal (Spectre.Console), plain periodic lines when output is
/// redirected, then a summary per phase and the first validation errors by file and line.
/// </summary>
internal sealed class ImportConsole(TextWriter output, bool interactive, TimeSpan interval)
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(200);

    public static ImportConsole ForTerminal(TimeSpan interval)
        => new(Console.Out, AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected, interval);

    /// <summary>Shows <paramref name="run"/> until it ends, then its summary; a run that throws gets no summary.</summary>
    public async Task<ImportOutcome> ShowAsync(IReadOnlyList<PhaseProgress> phases, Task<ImportOutcome> run)
    {
        if (interactive)
        {
            await ShowBarsAsync(phases, run);
        }
        else
        {
            await ShowLinesAsync(phases, run);
        }
        var outcome = await run;
        WriteSummary(phases);
        return outcome;
    }

    private static async Task ShowBarsAsync(IReadOnlyList<PhaseProgress> phases, Task run)
    {
        await AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<PhaseProgress, ProgressTask>();
                while (true)
                {
                    foreach (var phase in phases.Where(phase => phase.TotalBytes > 0 || phase.Status == PhaseStatus.Running))
                    {
                        if (!tasks.TryGetValue(phase, out var task))
                        {
                            task = context.AddTask(phase.Name, maxValue: Math.Max(1, phase.TotalBytes));
                            tasks[phase] = task;
                        }
                        task.Value = phase.Status == PhaseStatus.Completed ? task.MaxValue : phase.BytesRead;
                        task.Description = Markup.Escape(Describe(phase));
                        if (phase.Status is not (PhaseStatus.Pending or PhaseStatus.Running) && !task.IsFinished)
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

    private async Task ShowLinesAsync(IReadOnlyList<PhaseProgress> phases, Task run)
    {
        var reported = new HashSet<PhaseProgress>();
        while (true)
        {
            foreach (var phase in phases)
            {
                if (phase.Status == PhaseStatus.Running)
                {
                    await output.WriteLineAsync($"import {Describe(phase)}");
                }
                else if (phase.TotalBytes > 0 && phase.Status != PhaseStatus.Pending && reported.Add(phase))
                {
                    await output.WriteLineAsync($"import {Describe(phase)} [{phase.Status}]");
                }
            }
            if (run.IsCompleted)
            {
                return;
            }
            await Task.WhenAny(run, Task.Delay(interval));
        }
    }

    private static string Describe(PhaseProgress phase)
    {
        var percent = phase.TotalBytes > 0 ? 100.0 * phase.BytesRead / phase.TotalBytes : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"{phase.Name}: {percent:F0}%, {phase.Items:N0} items, {phase.Calls:N0} calls, {phase.Rejects:N0} rejects, {phase.CallsPerSecond:F1} calls/s");
    }

    private void WriteSummary(IReadOnlyList<PhaseProgress> phases)
    {
        string[] headers = ["phase", "status", "lines", "items", "calls", "rejects", "invalid", "cut-off", "resumed", "elapsed", "calls/s"];
        var rows = phases.Select(phase => new[]
        {
            phase.Name,
            Status(phase.Status),
            Count(phase.Lines),
            Count(phase.Items),
            Count(phase.Calls),
            Count(phase.Rejects),
            Count(phase.Invalid),
            Count(phase.CutOff),
            Count(phase.Resumed),
            phase.Elapsed.ToString(@"hh\:mm\:ss\.f", CultureInfo.InvariantCulture),
            phase.CallsPerSecond.ToString("F1", CultureInfo.InvariantCulture),
        }).ToList();
        var widths = headers.Select((header, column) => rows.Select(row => row[column].Length).Prepend(header.Length).Max()).ToArray();
        output.WriteLine();
        output.WriteLine(Row(headers, widths));
        foreach (var row in rows)
        {
            output.WriteLine(Row(row, widths));
        }
        foreach (var phase in phases.Where(phase => phase.StopReason is not null))
        {
            output.WriteLine($"{phase.Name}: {phase.StopReason}");
        }
        foreach (var phase in phases.Where(phase => phase.Invalid > 0))
        {
            output.WriteLine();
            output.WriteLine($"{phase.FileName}: {phase.Invalid:N0} invalid line(s){(phase.Invalid > phase.Errors.Count ? $", the first {phase.Errors.Count}:" : ":")}");
            foreach (var error in phase.Errors)
            {
                output.WriteLine("  " + error);
            }
        }
        output.Flush();
    }

    private static string Row(IReadOnlyList<string> cells, int[] widths)
        => string.Join("  ", cells.Select((cell, column) => column < 2 ? cell.PadRight(widths[column]) : cell.PadLeft(widths[column]))).TrimEnd();

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Status(PhaseStatus status) => status switch
    {
        PhaseStatus.NoInput => "no input",
        PhaseStatus.NotSelected => "not selected",
        PhaseStatus.AlreadyDone => "already done",
        _ => status.ToString().ToLowerInvariant(),
    };
}
