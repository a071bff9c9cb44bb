using System.Text.Json;
using Microsoft.Extensions.Options;
using SyncGateway.Contracts;
using SyncGateway.LoopSuppression;
using SyncGateway.Messaging;
using SyncGateway.Store;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.LoopSuppression;

public sealed class OriginTagsTests
{
    private const string Pair = "c2c:u_1:u_2";
    private const string Group = "group:@TGS#1";

    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2025, 1, 15, 6, 0, 0, TimeSpan.Zero));
    private readonly SyncOptions _options = new() { OriginTagTtlSeconds = 600, DedupeTtlSeconds = 3600 };
    private readonly OriginTags _tags;

    public OriginTagsTests() => _tags = new OriginTags(new InMemoryKeyValueStore(_time), Options.Create(_options));

    [Fact]
    public async Task Two_relays_of_the_same_text_suppress_exactly_two_legacy_echoes()
    {
        var first = new C2CMessageData("u_1", "u_2", Text("ok"), MsgRandom: 1);
        var second = first with { MsgRandom = 2 };
        await _tags.ExpectLegacyEchoesAsync("im-1", Pair, LegacyParts(first));
        await _tags.ExpectLegacyEchoesAsync("im-2", Pair, LegacyParts(second));

        var echo = LegacyParts(new C2CMessageData("u_1", "u_2", Text(" ok ")));

        Assert.Equal([true], await _tags.TakeLegacyEchoesAsync("lg-1", Pair, echo));
        Assert.Equal([true], await _tags.TakeLegacyEchoesAsync("lg-2", Pair, echo));
        Assert.Equal([false], await _tags.TakeLegacyEchoesAsync("lg-3", Pair, echo));
    }

    [Fact]
    public async Task A_retried_relay_expects_its_echo_once()
    {
        var data = new C2CMessageData("u_1", "u_2", Text("ok"));
        await _tags.ExpectLegacyEchoesAsync("im-1", Pair, LegacyParts(data));
        await _tags.ExpectLegacyEchoesAsync("im-1", Pair, LegacyParts(data));

        Assert.Equal([true], await _tags.TakeLegacyEchoesAsync("lg-1", Pair, LegacyParts(data)));
        Assert.Equal([false], await _tags.TakeLegacyEchoesAsync("lg-2", Pair, LegacyParts(data)));
    }

    [Fact]
    public async Task Tags_the_syncorigin_of_a_relayed_event()
    {
        await _tags.ExpectLegacyEchoesAsync("im-1", Group, LegacyParts(new GroupDismissedData("@TGS#1")));

        Assert.True(await _tags.TakeLegacyOriginAsync("lg-1", Group, "im-1", []));
        Assert.False(await _tags.TakeLegacyOriginAsync("lg-2", Group, "im-2", []));
    }

    [Fact]
    public async Task A_redelivered_im_echo_gets_the_same_decision()
    {
        var joined = new GroupMembersJoinedData("@TGS#1", ["u_1", "u_2"]);
        await _tags.ExpectImEchoesAsync("lg-1", Group, ImParts(joined with { Members = ["u_2"] }));

        Assert.Equal([false, true], await _tags.TakeImEchoesAsync("im-1", Group, ImParts(joined)));
        Assert.Equal([false, true], await _tags.TakeImEchoesAsync("im-1", Group, ImParts(joined)));
        Assert.Equal([false, false], await _tags.TakeImEchoesAsync("im-2", Group, ImParts(joined)));
    }

    [Fact]
    public async Task Forgets_an_origin_tag_after_its_time_to_live()
    {
        var created = new GroupCreatedData("@TGS#1", "Public", "Hikers");
        await _tags.ExpectImEchoesAsync("lg-1", Group, ImParts(created));

        _time.Advance(TimeSpan.FromSeconds(_options.OriginTagTtlSeconds + 1));

        Assert.Equal([false], await _tags.TakeImEchoesAsync("im-1", Group, ImParts(created)));
    }

    [Fact]
    public async Task Takes_a_tag_only_for_an_event_of_the_conversation_it_was_written_in()
    {
        var created = new GroupCreatedData("@TGS#1", "Public", "Hikers");
        await _tags.ExpectImEchoesAsync("lg-1", Group, ImParts(created));

        Assert.Equal([false], await _tags.TakeImEchoesAsync("im-1", "group:@TGS#2", ImParts(created)));
        Assert.Equal([true], await _tags.TakeImEchoesAsync("im-2", Group, ImParts(created)));
    }

    private static IReadOnlyList<string> ImParts<T>(T data) where T : class => Declarations.Of<T>().ImEchoParts(data);

    private static IReadOnlyList<string> LegacyParts<T>(T data) where T : class => Declarations.Of<T>().LegacyEchoParts(data);

    private static List<MessageElement> Text(string text)
    {
        using var doc = JsonDocument.Parse(JsonSerializer.Serialize(new Dictionary<string, string> { ["Text"] = text }));
        return [new MessageElement("TIMTextElem", doc.RootElement.Clone())];
    }
}
