using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using SyncGateway.Fakes.Im;
using SyncGateway.Im;
using SyncGateway.Import;

namespace SyncGateway.IntegrationTests.Import;

/// <summary>
/// The import with the real IM REST client (signing, rate limiter, retries) against the fake IM server on loopback,
/// over a temporary folder with its own state and rejects files.
/// </summary>
internal sealed class ImportRig : IAsyncDisposable
{
    public const string SecretKey = "import-test-secret-key";

    private readonly string _root = Directory.CreateTempSubdirectory("syncgw-import-it-").FullName;
    private readonly IHost _host;

    private ImportRig(FakeImServer im, IHost host)
    {
        Im = im;
        _host = host;
        Directory.CreateDirectory(Folder);
    }

    public FakeImServer Im { get; }

    public string Folder => Path.Combine(_root, "input");

    public string StatePath => Path.Combine(_root, "state.json");

    public string RejectsPath => Path.Combine(_root, "rejects.jsonl");

    public ImportOptions Options { get; } = new() { Parallelism = 16 };

    public IImRestClient Client => _host.Services.GetRequiredService<IImRestClient>();

    /// <summary>Starts a fake IM and a client limited to <paramref name="callsPerSecond"/> per API (0 = IM's documented limits).</summary>
    public static async Task<ImportRig> StartAsync(int callsPerSecond, bool requireImportedAccounts = true)
    {
        var im = new FakeImServer(new FakeImOptions { SecretKey = SecretKey, RequireImportedAccounts = requireImportedAccounts });
        await im.StartAsync();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(ImSettings(im, callsPerSecond));
        builder.AddImRestClient();
        return new ImportRig(im, builder.Build());
    }

    public static Dictionary<string, string?> ImSettings(FakeImServer im, int callsPerSecond) => new()
    {
        ["Im:SdkAppId"] = im.Options.SdkAppId.ToString(CultureInfo.InvariantCulture),
        ["Im:AdminIdentifier"] = im.Options.AdminIdentifier,
        ["Im:SecretKey"] = SecretKey,
        ["Im:ApiBaseUrl"] = im.BaseUrl.ToString(),
        ["Im:RestCallsPerSecond"] = callsPerSecond.ToString(CultureInfo.InvariantCulture),
    };

    public ImportRig Write(string phase, IEnumerable<string> lines)
    {
        File.WriteAllLines(Path.Combine(Folder, ImportPhases.FileName(phase)), lines);
        return this;
    }

    public ImportRig Write(string phase, params string[] lines) => Write(phase, (IEnumerable<string>)lines);

    public ImportRequest Request(bool dryRun = false) => new(Folder, dryRun, null, StatePath, RejectsPath, null);

    public async Task<(ImportOutcome Outcome, ImportRunner Runner)> RunAsync(CancellationToken stop = default, CancellationToken abort = default)
    {
        var runner = new ImportRunner(Client, Options, NullLogger.Instance, TimeProvider.System);
        var outcome = await runner.RunAsync(Request(), stop, abort);
        return (outcome, runner);
    }

    public IReadOnlyList<JsonElement> Rejects()
        => File.Exists(RejectsPath)
            ? [.. File.ReadAllLines(RejectsPath).Select(line => JsonDocument.Parse(line).RootElement.Clone())]
            : [];

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await Im.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}

/// <summary>Input lines in the documented format (docs/import-format.md).</summary>
internal static class Lines
{
    public const long Created = 1_600_000_000;

    public static string Account(string user) => $$"""{"userId":"{{user}}"}""";

    public static string Friend(string from, string to) => $$"""{"from":"{{from}}","to":"{{to}}"}""";

    public static string Group(string group, string owner = "u0") =>
        $$"""{"groupId":"{{group}}","type":"Public","name":"Group {{group}}","owner":"{{owner}}","createTime":{{Created}}}""";

    public static string Member(string group, string user) => $$"""{"groupId":"{{group}}","userId":"{{user}}","joinTime":{{Created + 60}}}""";

    public static string C2C(string id, string from, string to, long time) =>
        $$$"""{"id":"{{{id}}}","from":"{{{from}}}","to":"{{{to}}}","time":{{{time}}},"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"{{{id}}}"}}]}""";

    public static string GroupMessage(string id, string group, string from, long time) =>
        $$$"""{"id":"{{{id}}}","groupId":"{{{group}}}","from":"{{{from}}}","time":{{{time}}},"body":[{"msgType":"TIMTextElem","msgContent":{"Text":"{{{id}}}"}}]}""";
}
