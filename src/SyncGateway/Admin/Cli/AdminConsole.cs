using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SyncGateway.Admin.Cli;

/// <summary>
/// Shows admin API answers as tables (Spectre.Console), or as the JSON that came, indented. Fields are read by name
/// and any may be missing or null (shown as <c>-</c>), so a gateway a version apart still shows what it sends.
/// </summary>
internal sealed class AdminConsole
{
    private const string Missing = "-";

    // Redirected output keeps a table row on one line for grep; a terminal uses its own width.
    private const int RedirectedWidth = 200;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly string[] FaultColumns = ["id", "direction", "type", "conversation", "state", "attempts", "lastFailure", "waiting", "nextTry", "reason"];

    private static readonly HashSet<string> Times = new(StringComparer.Ordinal) { "at", "firstFailure", "lastFailure", "nextTry" };

    private readonly TextWriter _output;
    private readonly IAnsiConsole _console;

    public AdminConsole(TextWriter output, bool terminal)
    {
        _output = output;
        _console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        if (!terminal)
        {
            _console.Profile.Width = RedirectedWidth;
        }
    }

    /// <summary>Colours and the terminal's width only when <paramref name="output"/> is the console of a terminal.</summary>
    public static AdminConsole For(TextWriter output) => new(output, output == Console.Out && !Console.IsOutputRedirected);

    public void Show(AdminView view, bool json, AdminAnswer answer)
    {
        if (answer.Body is not { } body)
        {
            if (!json)
            {
                _output.WriteLine($"{(int)answer.Status} {answer.Status}");
            }
        }
        else if (json)
        {
            _output.WriteLine(JsonSerializer.Serialize(body, Indented));
        }
        else
        {
            Show(view, body);
        }
        _output.Flush();
    }

    private void Show(AdminView view, JsonElement body)
    {
        switch (view)
        {
            case AdminView.Status:
                ShowStatus(body);
                break;
            case AdminView.Event:
                ShowEvents([body]);
                break;
            case AdminView.Events:
                ShowEvents(Items(body));
                break;
            case AdminView.Direction:
                _output.WriteLine($"{Cell(body, "direction")}: {(Cell(body, "paused") == "yes" ? "paused" : "running")} on every replica");
                break;
            case AdminView.Faults:
                ShowFaults(body);
                break;
            case AdminView.Fault:
                ShowFault(body);
                break;
            case AdminView.FaultAction:
                _output.WriteLine($"{Cell(body, "action")} {Cell(body, "id")} ({Cell(body, "direction")}, {Cell(body, "conversation")}, {Cell(body, "state")})");
                break;
            case AdminView.FaultReplay:
                _output.WriteLine(Cell(body, "dryRun") == "yes"
                    ? $"dry run: {Cell(body, "count")} fault(s) match, none replayed"
                    : $"{Cell(body, "count")} fault(s) replayed");
                if (Field(body, "faults") is { } faults && Items(faults).Any())
                {
                    ShowFaults(faults);
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(view), view, null);
        }
    }

    private void ShowStatus(JsonElement status)
    {
        var table = Table("direction", "paused", "queue depth#", "consumers#", "oldest event#", "spool#", "faulted#", "error queue#", "parked#");
        foreach (var direction in Field(status, "directions") is { } directions ? Items(directions) : [])
        {
            Row(table,
                Cell(direction, "direction"),
                Cell(direction, "paused"),
                Cell(direction, "queueDepth"),
                Cell(direction, "consumers"),
                Field(direction, "oldestEventAgeSeconds") is { ValueKind: JsonValueKind.Number } age
                    ? age.GetDouble().ToString("0.0' s'", CultureInfo.InvariantCulture)
                    : Missing,
                Cell(direction, "spoolDepth"),
                Cell(direction, "faulted"),
                Cell(direction, "errorQueueDepth"),
                Cell(direction, "parked"));
        }
        _console.Write(table);
    }

    private void ShowEvents(IEnumerable<JsonElement> events)
    {
        var shown = 0;
        foreach (var record in events)
        {
            if (shown++ > 0)
            {
                _output.WriteLine();
            }
            var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
            foreach (var (label, name) in new[] { ("event", "id"), ("direction", "direction"), ("type", "type"), ("subject", "subject"), ("trace id", "traceId") })
            {
                grid.AddRow(new Text(label), new Text(Cell(record, name)));
            }
            _console.Write(grid);
            var steps = Table("at", "step", "detail");
            foreach (var step in Field(record, "steps") is { } list ? Items(list) : [])
            {
                Row(steps, Cell(step, "at"), Cell(step, "step"), Cell(step, "detail"));
            }
            _console.Write(steps);
        }
        if (shown == 0)
        {
            _output.WriteLine("No event in the delivery ledger carried that message.");
        }
    }

    private void ShowFaults(JsonElement faults)
    {
        var items = Items(faults).ToList();
        if (items.Count == 0)
        {
            _output.WriteLine("No faults.");
            return;
        }
        var table = Table("id", "direction", "type", "conversation", "state", "attempts#", "last failure", "waiting#", "next try", "reason");
        foreach (var fault in items)
        {
            Row(table, [.. FaultColumns.Select(name => Cell(fault, name))]);
        }
        _console.Write(table);
    }

    private void ShowFault(JsonElement fault)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        foreach (var property in fault.ValueKind == JsonValueKind.Object ? fault.EnumerateObject().Where(p => p.Name != "event") : [])
        {
            grid.AddRow(new Text(property.Name), new Text(Cell(fault, property.Name)));
        }
        _console.Write(grid);
        if (Field(fault, "event") is { ValueKind: not JsonValueKind.Null } cloudEvent)
        {
            _output.WriteLine("event:");
            _output.WriteLine(JsonSerializer.Serialize(cloudEvent, Indented));
        }
    }

    /// <summary>A table with these headers; a header ending in <c>#</c> is a right-aligned count.</summary>
    private static Table Table(params string[] headers)
        => new Table().AddColumns([.. headers.Select(h => h.EndsWith('#') ? new TableColumn(h[..^1]).RightAligned() : new TableColumn(h))]);

    // Text, not markup: reasons and details are the other side's words and may hold brackets.
    private static void Row(Table table, params string[] cells) => table.AddRow([.. cells.Select(cell => (IRenderable)new Text(cell))]);

    private static JsonElement? Field(JsonElement item, string name)
        => item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var value) ? value : null;

    private static IEnumerable<JsonElement> Items(JsonElement list)
        => list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : Enumerable.Empty<JsonElement>();

    private static string Cell(JsonElement item, string name)
        => Field(item, name) is not { } value
            ? Missing
            : value.ValueKind switch
            {
                JsonValueKind.String when Times.Contains(name) && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
                    => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.True => "yes",
                JsonValueKind.False => "no",
                JsonValueKind.Null => Missing,
                _ => value.GetRawText(),
            };
}
