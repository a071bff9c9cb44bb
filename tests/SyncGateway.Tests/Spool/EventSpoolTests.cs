using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using SyncGateway.Contracts;
using SyncGateway.Spool;
using SyncGateway.Tests.Support;

namespace SyncGateway.Tests.Spool;

public sealed class EventSpoolTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "syncgw-spool-tests", Guid.NewGuid().ToString("N"));

    private string SpoolFile => Path.Combine(_directory, "spool.db");

    [Fact]
    public async Task Events_read_back_in_acceptance_order_equal_to_what_was_spooled()
    {
        await using var spool = Open();
        var events = Enumerable.Range(1, 5).Select(i => Message($"im-{i}", i % 2 == 0 ? "c2c:a:b" : "c2c:c:d", $"text {i}")).ToList();
        foreach (var evt in events)
        {
            await spool.AppendAsync(evt);
        }

        var read = await spool.ReadOldestAsync(10);

        Assert.Equal(events.Select(e => e.Meta.Id), read.Select(r => r.Event.Meta.Id));
        var first = Assert.IsType<ImC2CMessageSent>(read[0].Event);
        Assert.Equal(events[0].Meta, first.Meta);
        Assert.Equal("text 1", first.Data.Body[0].MsgContent.GetProperty("Text").GetString());
        Assert.Equal(5, spool.Depth);
    }

    [Fact]
    public async Task The_trace_an_event_was_accepted_in_is_read_back_with_it()
    {
        await using var spool = Open();
        using (var accepted = new System.Diagnostics.Activity("accept").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start())
        {
            accepted.TraceStateString = "vendor=1";
            await spool.AppendAsync(Message("im-1", "c2c:a:b"));
            await spool.AppendAsync(Message("im-2", "c2c:a:b"));
            var read = await spool.ReadOldestAsync(10);

            Assert.All(read, r => Assert.Equal(accepted.Id, r.TraceParent));
            Assert.All(read, r => Assert.Equal("vendor=1", r.TraceState));
        }
        await spool.AppendAsync(Message("im-3", "c2c:a:b"));
        Assert.Null((await spool.ReadOldestAsync(10))[2].TraceParent);
    }

    [Fact]
    public async Task A_conversation_is_held_until_its_last_spooled_event_is_forwarded()
    {
        await using var spool = Open();
        var first = Message("im-1", "c2c:a:b");
        var second = Message("im-2", "c2c:a:b");
        await spool.AppendAsync(first);
        await spool.AppendAsync(second);
        var key = EventSpool.KeyOf(first);
        var read = await spool.ReadOldestAsync(10);

        spool.Forwarded(read[0]);
        Assert.True(spool.Holds(key));
        spool.Forwarded(read[1]);

        Assert.False(spool.Holds(key));
        Assert.False(spool.Holds(EventSpool.KeyOf(Message("im-3", "c2c:x:y"))));
    }

    [Fact]
    public async Task Deleted_events_are_gone_and_the_depth_follows()
    {
        await using var spool = Open();
        await spool.AppendAsync(Message("im-1", "c2c:a:b"));
        await spool.AppendAsync(Message("im-2", "c2c:a:b"));
        var read = await spool.ReadOldestAsync(1);

        await spool.DeleteAsync(read);

        Assert.Equal(1, spool.Depth);
        Assert.Equal(["im-2"], (await spool.ReadOldestAsync(10)).Select(r => r.Event.Meta.Id));
        await spool.DeleteAsync(await spool.ReadOldestAsync(10));
        Assert.Equal(0, spool.Depth);
        Assert.Equal(0, spool.Bytes);
        Assert.Null(spool.OldestAge());
    }

    [Fact]
    public async Task What_one_process_spooled_the_next_one_finds_with_its_conversations_held()
    {
        var evt = Message("im-1", "group:g1");
        await using (var spool = Open())
        {
            await spool.AppendAsync(evt);
        }

        await using var reopened = Open();

        Assert.Equal(1, reopened.Depth);
        Assert.True(reopened.Holds(EventSpool.KeyOf(evt)));
        Assert.NotNull(reopened.OldestAge());
        Assert.Equal("im-1", Assert.Single(await reopened.ReadOldestAsync(10)).Event.Meta.Id);
    }

    [Fact]
    public async Task Past_the_event_limit_an_append_is_refused_and_what_was_accepted_stays()
    {
        await using var spool = Open(maxEvents: 2);
        await spool.AppendAsync(Message("im-1", "c2c:a:b"));
        await spool.AppendAsync(Message("im-2", "c2c:a:b"));

        var full = await Assert.ThrowsAsync<SpoolFullException>(() => spool.AppendAsync(Message("im-3", "c2c:a:b")));

        Assert.Contains("Spool:MaxEvents 2", full.Message, StringComparison.Ordinal);
        Assert.False(spool.HasRoom);
        Assert.Equal(["im-1", "im-2"], (await spool.ReadOldestAsync(10)).Select(r => r.Event.Meta.Id));
    }

    [Fact]
    public async Task Past_the_byte_limit_an_append_is_refused()
    {
        await using var spool = Open(maxBytes: 1 << 20);
        await spool.AppendAsync(Message("im-1", "c2c:a:b", new string('x', 600_000)));

        await Assert.ThrowsAsync<SpoolFullException>(() => spool.AppendAsync(Message("im-2", "c2c:a:b", new string('y', 600_000))));

        Assert.Equal(1, spool.Depth);
    }

    [Fact]
    public async Task Concurrent_appends_all_land_and_keep_each_callers_order()
    {
        await using var spool = Open();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async writer =>
        {
            for (var i = 0; i < 50; i++)
            {
                await spool.AppendAsync(Message($"im-{writer}-{i}", $"c2c:w{writer}:x"));
            }
        }));

        var read = await spool.ReadOldestAsync(1000);

        Assert.Equal(400, read.Count);
        foreach (var conversation in read.GroupBy(r => r.Key))
        {
            var ids = conversation.Select(r => int.Parse(r.Event.Meta.Id.Split('-')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(0, 50), ids);
        }
    }

    [Fact]
    public async Task A_second_process_cannot_open_a_spool_in_use_and_is_told_why()
    {
        await using var spool = Open();

        var refused = Assert.Throws<SpoolUnavailableException>(() => Open());

        Assert.Contains($"Spool:Path {SpoolFile}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("in use by another process", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_event_this_version_cannot_read_is_set_aside_not_forwarded_and_not_blocking()
    {
        await using (var spool = Open())
        {
            await spool.AppendAsync(Message("im-1", "c2c:a:b"));
            await spool.AppendAsync(Message("im-2", "c2c:a:b"));
        }
        using (var connection = new SqliteConnection($"Data Source={SpoolFile};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE events SET type = 'im.unknown.thing' WHERE id = 'im-1'";
            command.ExecuteNonQuery();
        }

        await using var reopened = Open();
        var read = await reopened.ReadOldestAsync(10);

        Assert.Equal(["im-2"], read.Select(r => r.Event.Meta.Id));
        Assert.Equal(1, reopened.Depth);
        await reopened.DisposeAsync();
        using var check = new SqliteConnection($"Data Source={SpoolFile};Pooling=False");
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT id FROM unreadable";
        Assert.Equal("im-1", count.ExecuteScalar());
    }

    [Fact]
    public void A_directory_that_cannot_be_created_stops_start_up_with_the_key_named()
    {
        var blocker = Path.Combine(_directory, "not-a-directory");
        Directory.CreateDirectory(_directory);
        File.WriteAllText(blocker, "");

        var refused = Assert.Throws<SpoolUnavailableException>(() => EventSpool.Open(
            new SpoolOptions { Path = Path.Combine(blocker, "spool.db") }, TimeProvider.System, TestTelemetry.Create(), NullLogger<EventSpool>.Instance));

        Assert.StartsWith("Spool:Path ", refused.Message, StringComparison.Ordinal);
    }

    private EventSpool Open(long maxEvents = 1000, long maxBytes = 1L << 30)
        => EventSpool.Open(new SpoolOptions { Path = SpoolFile, MaxEvents = maxEvents, MaxBytes = maxBytes },
            TimeProvider.System, TestTelemetry.Create(), NullLogger<EventSpool>.Instance);

    private static ImC2CMessageSent Message(string id, string subject, string text = "hello")
    {
        var users = subject.Split(':');
        var body = new MessageElement("TIMTextElem", JsonSerializer.SerializeToElement(new { Text = text }));
        return new ImC2CMessageSent(
            new EventMeta(id, "/im/1400000001", EventTypes.ImC2CMessageSent, subject, DateTimeOffset.FromUnixTimeSeconds(1_790_000_000), DateTimeOffset.FromUnixTimeSeconds(1_790_000_001), "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            new C2CMessageData(users[1], users.Length > 2 ? users[2] : "z", [body], MsgSeq: 1, MsgRandom: 2, MsgTime: 1_790_000_000, MsgKey: "1_2_1790000000"));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
