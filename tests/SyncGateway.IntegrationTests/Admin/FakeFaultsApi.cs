using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SyncGateway.IntegrationTests.Admin;

/// <summary>One fault as <c>GET /admin/faults</c> lists it.</summary>
internal sealed record FaultSummary(
    string Id,
    string Direction,
    string Type,
    string Conversation,
    string State,
    string Reason,
    int Attempts,
    DateTimeOffset FirstFailure,
    DateTimeOffset LastFailure,
    int Waiting,
    DateTimeOffset? NextTry);

/// <summary>A request as the fake saw it.</summary>
internal sealed record SeenRequest(string Method, string Path, string Query, string Authorization, string Body);

/// <summary>
/// The gateway's faults API on loopback, as its contract says: bearer token, summaries filtered by direction, type,
/// text in the reason, state and limit, one fault with its event, replay (202) and discard (200) of one fault with the
/// operator's reason as the body, and a bulk replay with a dry run. A replayed or discarded fault is gone.
/// </summary>
internal sealed class FakeFaultsApi : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly string[] Directions = ["im-to-legacy", "legacy-to-im"];
    private static readonly string[] States = ["faulted", "parked"];

    private readonly WebApplication _app;
    private readonly string _token;
    private readonly ConcurrentDictionary<string, FaultSummary> _faults;
    private readonly ConcurrentQueue<SeenRequest> _requests = new();

    private FakeFaultsApi(WebApplication app, string token, IEnumerable<FaultSummary> faults)
    {
        _app = app;
        _token = token;
        _faults = new(faults.Select(f => KeyValuePair.Create(f.Id, f)), StringComparer.Ordinal);
    }

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<SeenRequest> Requests => [.. _requests];

    /// <summary>The faults not replayed or discarded yet.</summary>
    public IReadOnlyCollection<string> Ids => [.. _faults.Keys.Order(StringComparer.Ordinal)];

    public static async Task<FakeFaultsApi> StartAsync(string token, params FaultSummary[] faults)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new FakeFaultsApi(app, token, faults);
        app.Use(api.RecordAndAuthenticateAsync);
        app.MapGet("/admin/faults", api.List);
        app.MapGet("/admin/faults/{id}", api.Show);
        app.MapPost("/admin/faults/replay", api.ReplayAllAsync);
        app.MapPost("/admin/faults/{id}/replay", (string id, HttpRequest request) => api.ActAsync(id, "replayed", StatusCodes.Status202Accepted, request));
        app.MapPost("/admin/faults/{id}/discard", (string id, HttpRequest request) => api.ActAsync(id, "discarded", StatusCodes.Status200OK, request));
        await app.StartAsync();
        api.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return api;
    }

    public static JsonObject EventOf(FaultSummary fault)
        => new() { ["specversion"] = "1.0", ["id"] = fault.Id, ["type"] = fault.Type, ["subject"] = fault.Conversation, ["data"] = new JsonObject { ["text"] = "hello " + fault.Id } };

    private async Task RecordAndAuthenticateAsync(HttpContext context, RequestDelegate next)
    {
        context.Request.EnableBuffering();
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        context.Request.Body.Position = 0;
        var authorization = context.Request.Headers.Authorization.ToString();
        _requests.Enqueue(new SeenRequest(context.Request.Method, context.Request.Path.Value!, context.Request.QueryString.Value ?? "", authorization, body));
        if (authorization != "Bearer " + _token)
        {
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "An admin bearer token is required").ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private IResult List(string? direction, string? type, string? reason, string? state, string? limit)
        => Filter(direction, type, reason, state, limit) is { } faults ? Results.Json(faults, Web) : BadFilter();

    private IResult Show(string id)
    {
        if (!_faults.TryGetValue(id, out var fault))
        {
            return NoSuchFault();
        }
        var answer = JsonSerializer.SerializeToNode(fault, Web)!.AsObject();
        answer["event"] = EventOf(fault);
        return Results.Json(answer, Web);
    }

    private async Task<IResult> ActAsync(string id, string action, int status, HttpRequest request)
    {
        if (await ReasonAsync(request) is null)
        {
            return MissingReason();
        }
        if (!_faults.TryRemove(id, out var fault))
        {
            return NoSuchFault();
        }
        return Results.Json(new { fault.Id, fault.Direction, fault.Conversation, Action = action, fault.State }, Web, statusCode: status);
    }

    private async Task<IResult> ReplayAllAsync(string? direction, string? type, string? reason, string? state, string? limit, string? dryRun, HttpRequest request)
    {
        if (await ReasonAsync(request) is null)
        {
            return MissingReason();
        }
        if (Filter(direction, type, reason, state, limit) is not { } faults || dryRun is not ("true" or "false"))
        {
            return BadFilter();
        }
        if (dryRun == "false")
        {
            foreach (var fault in faults)
            {
                _faults.TryRemove(fault.Id, out _);
            }
        }
        return Results.Json(new { DryRun = dryRun == "true", Count = faults.Count, Faults = faults }, Web);
    }

    private List<FaultSummary>? Filter(string? direction, string? type, string? reason, string? state, string? limit)
    {
        var count = int.MaxValue;
        if ((direction is not null && !Directions.Contains(direction)) || (state is not null && !States.Contains(state))
            || (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1)))
        {
            return null;
        }
        return [.. _faults.Values
            .Where(f => (direction is null || f.Direction == direction) && (type is null || f.Type == type) && (state is null || f.State == state)
                && (reason is null || f.Reason.Contains(reason, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(f => f.Id, StringComparer.Ordinal)
            .Take(count)];
    }

    private static async Task<string?> ReasonAsync(HttpRequest request)
    {
        try
        {
            using var body = await JsonDocument.ParseAsync(request.Body);
            return body.RootElement.TryGetProperty("reason", out var reason) && reason.GetString() is { Length: > 0 } text ? text : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult NoSuchFault() => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such fault", detail: "Replayed, discarded or never recorded.");

    private static IResult MissingReason() => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "A reason is required", detail: "Send {\"reason\": \"…\"}.");

    private static IResult BadFilter() => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid filter", detail: "direction, state or limit");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
