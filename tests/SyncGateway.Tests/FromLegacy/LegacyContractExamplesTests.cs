using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SyncGateway.Events;
using SyncGateway.FromLegacy;
using SyncGateway.Tests.Deployment;
using SyncGateway.ToLegacy;

namespace SyncGateway.Tests.FromLegacy;

public sealed partial class LegacyContractExamplesTests
{
    private static readonly List<string> Examples = [.. JsonBlock()
        .Matches(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "docs", "legacy-contract.md")))
        .Select(m => m.Groups["json"].Value)];

    [Fact]
    public void Every_outbound_example_is_a_cloud_event_the_sdk_decodes_with_json_object_data()
    {
        var outbound = Examples.Where(e => e.Contains("\"type\":\"im.", StringComparison.Ordinal)).ToList();

        // One example per type, and a repaired message as a second example of its type.
        Assert.Equal(EventCatalog.All.Count(d => d.ImType is not null), outbound.Select(e => JsonDocument.Parse(e).RootElement.GetProperty("type").GetString()).Distinct().Count());
        Assert.Single(outbound, example => CloudEventFormat.Formatter.DecodeStructuredModeMessage(
            Encoding.UTF8.GetBytes(example), null, CloudEventFormat.Extensions)[CloudEventFormat.SyncRepaired] is true);
        Assert.All(outbound, example =>
        {
            var decoded = CloudEventFormat.Formatter.DecodeStructuredModeMessage(Encoding.UTF8.GetBytes(example), null, CloudEventFormat.Extensions);
            Assert.Equal("application/json", decoded.DataContentType);
            Assert.NotNull(decoded.Time);
            Assert.Equal(JsonValueKind.Object, Assert.IsType<JsonElement>(decoded.Data).ValueKind);
        });
        Assert.Contains(outbound, example => CloudEventFormat.Formatter.DecodeStructuredModeMessage(
            Encoding.UTF8.GetBytes(example), null, CloudEventFormat.Extensions)[CloudEventFormat.TraceParent] is string);
    }

    [Fact]
    public void Every_inbound_example_is_read_without_errors()
    {
        var inbound = Examples.Where(e => e.Contains("\"type\":\"legacy.", StringComparison.Ordinal)).ToList();

        Assert.Equal(EventCatalog.All.Count, inbound.Count);
        Assert.All(inbound, example =>
        {
            var (events, errors) = CloudEventReader.Read(Encoding.UTF8.GetBytes(example), batch: false, DateTimeOffset.UnixEpoch);
            Assert.Empty(errors);
            Assert.Single(events);
        });
    }

    [GeneratedRegex("```json\\n(?<json>.*?)\\n```", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex JsonBlock();
}
