using SyncGateway.Repair;

namespace SyncGateway.Tests.Repair;

public sealed class HeartbeatTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("syncgw-heartbeat-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void A_beat_left_behind_names_when_the_previous_process_was_last_alive_and_a_clean_stop_removes_it()
    {
        var heartbeat = Heartbeat.NextTo(Path.Combine(_directory.FullName, "data", "spool.db"));
        Assert.Null(heartbeat.Previous());

        var at = new DateTimeOffset(2026, 12, 3, 9, 30, 15, 250, TimeSpan.Zero);
        heartbeat.Beat(at);
        Assert.Equal(at, heartbeat.Previous());
        Assert.True(File.Exists(Path.Combine(_directory.FullName, "data", "spool.db.alive")));

        heartbeat.Clear();
        Assert.Null(heartbeat.Previous());
    }

    [Fact]
    public void An_unreadable_file_is_no_heartbeat()
    {
        var path = Path.Combine(_directory.FullName, "spool.db");
        File.WriteAllText(path + ".alive", "not a time");

        Assert.Null(Heartbeat.NextTo(path).Previous());
    }
}
