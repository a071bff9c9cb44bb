using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using SyncGateway.Contracts;
using SyncGateway.Events;
using SyncGateway.Hosting;
using SyncGateway.Messaging;

namespace SyncGateway.Spool;

/// <summary>One event read back from the spool, oldest first, with the trace context it was accepted in.</summary>
internal sealed record SpooledEvent(long Seq, string Key, ISyncEvent Event, int Bytes, string? TraceParent, string? TraceState);

/// <summary>The spool has reached <see cref="SpoolOptions.MaxEvents"/> or <see cref="SpoolOptions.MaxBytes"/>.</summary>
internal sealed class SpoolFullException(string message) : Exception(message);

/// <summary>The spool file cannot be opened (start-up stops with this message, which names <c>Spool:Path</c>).</summary>
internal sealed class SpoolUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The local journal behind the intakes: events the broker could not confirm in time, in acceptance order. SQLite in
/// WAL mode with <c>synchronous=FULL</c>: a commit returns only after the log is fsynced, and a commit is atomic across
/// a crash or power loss. One connection, owned by one writer loop; appends that arrive together share one commit (group
/// commit), so an outage's load costs one fsync per batch rather than per event. The file stays locked exclusively while
/// the process runs, so two gateways can never forward one spool.
/// </summary>
internal sealed partial class EventSpool : IAsyncDisposable
{
    private const int MaxOperationsPerCommit = 512;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly SqliteConnection _connection;
    private readonly SpoolOptions _options;
    private readonly TimeProvider _time;
    private readonly SyncTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly Channel<Operation> _operations = Channel.CreateUnbounded<Operation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _held = new(StringComparer.Ordinal);
    private long _depth;
    private long _bytes;
    private long _oldestAcceptedAtMs = -1;

    private EventSpool(SqliteConnection connection, SpoolOptions options, TimeProvider time, SyncTelemetry telemetry, ILogger logger)
    {
        _connection = connection;
        _options = options;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        LoadCounts();
        telemetry.ObserveSpool(() => Interlocked.Read(ref _depth), () => Interlocked.Read(ref _bytes), OldestAge);
        _writer = Task.Run(WriteLoopAsync);
    }

    public string Path => _options.Path;

    /// <summary>Events in the spool (written and not yet forwarded and deleted).</summary>
    public long Depth => Interlocked.Read(ref _depth);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>How long the oldest spooled event has waited; null when the spool is empty.</summary>
    public TimeSpan? OldestAge()
    {
        var oldest = Interlocked.Read(ref _oldestAcceptedAtMs);
        return oldest < 0 ? null : _time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(oldest);
    }

    /// <summary>Whether the spool can take one more event of average size: readiness while the broker is away.</summary>
    public bool HasRoom => Depth < _options.MaxEvents && Bytes < _options.MaxBytes;

    /// <summary>Opens (creating it and its directory if needed) and locks the spool file.</summary>
    public static EventSpool Open(SpoolOptions options, TimeProvider time, SyncTelemetry telemetry, ILogger<EventSpool> logger)
    {
        var path = System.IO.Path.GetFullPath(options.Path);
        SqliteConnection? connection = null;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = 5,
            }.ToString());
            connection.Open();
            Execute(connection, """
                PRAGMA busy_timeout = 0;
                PRAGMA locking_mode = EXCLUSIVE;
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                CREATE TABLE IF NOT EXISTS events (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    key TEXT NOT NULL,
                    type TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body BLOB NOT NULL,
                    accepted_at INTEGER NOT NULL,
                    traceparent TEXT,
                    tracestate TEXT);
                CREATE TABLE IF NOT EXISTS unreadable (
                    seq INTEGER PRIMARY KEY,
                    key TEXT NOT NULL,
                    type TEXT NOT NULL,
                    id TEXT NOT NULL,
                    body BLOB NOT NULL,
                    accepted_at INTEGER NOT NULL,
                    problem TEXT NOT NULL);
                BEGIN EXCLUSIVE;
                COMMIT;
                """);
            return new EventSpool(connection, options, time, telemetry, logger);
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            var reason = ex is SqliteException { SqliteErrorCode: 5 or 6 } ? "the file is in use by another process (each gateway needs a spool of its own)" : ex.Message;
            throw new SpoolUnavailableException($"Spool:Path {path} cannot be used: {reason}", ex);
        }
    }

    /// <summary>The ordering key: a conversation in one direction. A held key's new events must queue behind its spooled ones.</summary>
    public static string KeyOf(ISyncEvent evt) => EventCatalog.DirectionOf[evt.GetType()].Name + "|" + evt.Meta.Subject;

    /// <summary>Whether events of this conversation wait in the spool (accepted, not yet confirmed by the broker).</summary>
    public bool Holds(string key)
    {
        lock (_gate)
        {
            return _held.ContainsKey(key);
        }
    }

    /// <summary>Events of one direction in the spool (the admin status); a scan of the held conversations.</summary>
    public long DepthOf(RelayDirection direction)
    {
        var prefix = direction.Name + "|";
        lock (_gate)
        {
            return _held.Where(held => held.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(held => (long)held.Value);
        }
    }

    /// <summary>Writes the event and returns once it is on disk; throws <see cref="SpoolFullException"/> past the limits.</summary>
    public async Task AppendAsync(ISyncEvent evt)
    {
        var key = KeyOf(evt);
        var body = JsonSerializer.SerializeToUtf8Bytes(evt, evt.GetType(), Json);
        lock (_gate)
        {
            if (_depth + 1 > _options.MaxEvents || _bytes + body.Length > _options.MaxBytes)
            {
                throw new SpoolFullException($"the spool is full ({_depth} events, {_bytes} bytes; Spool:MaxEvents {_options.MaxEvents}, Spool:MaxBytes {_options.MaxBytes})");
            }
            _depth++;
            _bytes += body.Length;
            _held[key] = _held.GetValueOrDefault(key) + 1;
        }

        var trace = Activity.Current;
        var append = new Append(key, evt.Meta.Type, evt.Meta.Id, body, _time.GetUtcNow().ToUnixTimeMilliseconds(), trace?.Id, trace?.TraceStateString);
        try
        {
            ObjectDisposedException.ThrowIf(!_operations.Writer.TryWrite(append), this);
            await append.Done.Task;
        }
        catch
        {
            lock (_gate)
            {
                _depth--;
                _bytes -= body.Length;
                ReleaseHoldLocked(key);
            }
            throw;
        }
        _telemetry.RecordSpooled(EventCatalog.DirectionOf[evt.GetType()]);
    }

    /// <summary>The oldest events, in acceptance order.</summary>
    public Task<IReadOnlyList<SpooledEvent>> ReadOldestAsync(int max)
    {
        var read = new ReadOldest(max);
        return _operations.Writer.TryWrite(read) ? read.Done.Task : Task.FromException<IReadOnlyList<SpooledEvent>>(new ObjectDisposedException(nameof(EventSpool)));
    }

    /// <summary>The broker confirmed this event: newer events of its conversation need no longer queue behind it.</summary>
    public void Forwarded(SpooledEvent spooled)
    {
        lock (_gate)
        {
            ReleaseHoldLocked(spooled.Key);
        }
        _telemetry.RecordSpoolForwarded(EventCatalog.DirectionOf[spooled.Event.GetType()]);
    }

    /// <summary>Deletes forwarded events (a crash before this forwards them again: harmless, consumers dedupe by id).</summary>
    public Task DeleteAsync(IReadOnlyList<SpooledEvent> forwarded)
    {
        var delete = new Delete(forwarded);
        return _operations.Writer.TryWrite(delete) ? delete.Done.Task : Task.FromException(new ObjectDisposedException(nameof(EventSpool)));
    }

    private void ReleaseHoldLocked(string key)
    {
        if (!_held.TryGetValue(key, out var count))
        {
            return;
        }
        if (count <= 1)
        {
            _held.Remove(key);
        }
        else
        {
            _held[key] = count - 1;
        }
    }

    private void LoadCounts()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT key, COUNT(*), SUM(LENGTH(body)) FROM events GROUP BY key";
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var count = reader.GetInt32(1);
                _held[reader.GetString(0)] = count;
                _depth += count;
                _bytes += reader.GetInt64(2);
            }
        }
        RefreshOldest();
        if (_depth > 0)
        {
            LogFound(_logger, _depth, _bytes, Path);
        }
    }

    private void RefreshOldest()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT accepted_at FROM events ORDER BY seq LIMIT 1";
        Interlocked.Exchange(ref _oldestAcceptedAtMs, command.ExecuteScalar() is long oldest ? oldest : -1);
    }

    private async Task WriteLoopAsync()
    {
        var pending = new List<Operation>(MaxOperationsPerCommit);
        while (await _operations.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (pending.Count < MaxOperationsPerCommit && _operations.Reader.TryRead(out var operation))
            {
                pending.Add(operation);
            }
            var appends = pending.OfType<Append>().ToList();
            if (appends.Count > 0)
            {
                Commit(appends);
            }
            foreach (var operation in pending)
            {
                switch (operation)
                {
                    case ReadOldest read:
                        Run<IReadOnlyList<SpooledEvent>>(read.Done, () => Read(read.Max));
                        break;
                    case Delete delete:
                        Run(delete.Done, () => Remove(delete.Events));
                        break;
                }
            }
            pending.Clear();
        }
    }

    // Appends are committed before the reads and deletes taken in the same round: a read sees every append before it.
    private void Commit(List<Append> appends)
    {
        try
        {
            using (var transaction = _connection.BeginTransaction())
            using (var insert = _connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO events (key, type, id, body, accepted_at, traceparent, tracestate) VALUES ($key, $type, $id, $body, $at, $traceparent, $tracestate)";
                var key = insert.Parameters.Add("$key", SqliteType.Text);
                var type = insert.Parameters.Add("$type", SqliteType.Text);
                var id = insert.Parameters.Add("$id", SqliteType.Text);
                var body = insert.Parameters.Add("$body", SqliteType.Blob);
                var at = insert.Parameters.Add("$at", SqliteType.Integer);
                var traceParent = insert.Parameters.Add("$traceparent", SqliteType.Text);
                var traceState = insert.Parameters.Add("$tracestate", SqliteType.Text);
                foreach (var append in appends)
                {
                    key.Value = append.Key;
                    type.Value = append.Type;
                    id.Value = append.Id;
                    body.Value = append.Body;
                    at.Value = append.AcceptedAtMs;
                    traceParent.Value = (object?)append.TraceParent ?? DBNull.Value;
                    traceState.Value = (object?)append.TraceState ?? DBNull.Value;
                    insert.ExecuteNonQuery();
                }
                transaction.Commit();
            }
            Interlocked.CompareExchange(ref _oldestAcceptedAtMs, appends[0].AcceptedAtMs, -1);
            foreach (var append in appends)
            {
                append.Done.TrySetResult();
            }
        }
#pragma warning disable CA1031 // The failure goes to every waiting intake, which answers an error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var append in appends)
            {
                append.Done.TrySetException(ex);
            }
        }
    }

    private List<SpooledEvent> Read(int max)
    {
        var events = new List<SpooledEvent>();
        var unreadable = new List<(long Seq, string Key, int Bytes, string Problem)>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT seq, key, type, id, body, traceparent, tracestate FROM events ORDER BY seq LIMIT $max";
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var (seq, key, type, id) = (reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
                var body = (byte[])reader.GetValue(4);
                var evt = Deserialize(type, body, out var problem);
                if (evt is null)
                {
                    LogUnreadable(_logger, type, id, problem!);
                    unreadable.Add((seq, key, body.Length, problem!));
                    continue;
                }
                events.Add(new SpooledEvent(seq, key, evt, body.Length,
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
        }
        foreach (var (seq, key, bytes, problem) in unreadable)
        {
            SetAside(seq, key, bytes, problem);
        }
        return events;
    }

    private static ISyncEvent? Deserialize(string type, byte[] body, out string? problem)
    {
        problem = null;
        if (!EventCatalog.MessageTypeOf.TryGetValue(type, out var messageType))
        {
            problem = $"this version does not know the event type {type}";
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(body, messageType, Json) as ISyncEvent ?? throw new JsonException("the body is null");
        }
        catch (JsonException ex)
        {
            problem = ex.Message;
            return null;
        }
    }

    // A row this version cannot read moves to the unreadable table (kept, never forwarded) instead of blocking the spool.
    private void SetAside(long seq, string key, int bytes, string problem)
    {
        using (var transaction = _connection.BeginTransaction())
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO unreadable SELECT seq, key, type, id, body, accepted_at, $problem FROM events WHERE seq = $seq;
                DELETE FROM events WHERE seq = $seq;
                """;
            command.Parameters.AddWithValue("$seq", seq);
            command.Parameters.AddWithValue("$problem", problem);
            command.ExecuteNonQuery();
            transaction.Commit();
        }
        lock (_gate)
        {
            _depth--;
            _bytes -= bytes;
            ReleaseHoldLocked(key);
        }
        RefreshOldest();
    }

    private void Remove(IReadOnlyList<SpooledEvent> forwarded)
    {
        using (var transaction = _connection.BeginTransaction())
        using (var command = _connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM events WHERE seq = $seq";
            var seq = command.Parameters.Add("$seq", SqliteType.Integer);
            foreach (var spooled in forwarded)
            {
                seq.Value = spooled.Seq;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        lock (_gate)
        {
            _depth -= forwarded.Count;
            _bytes -= forwarded.Sum(spooled => (long)spooled.Bytes);
        }
        RefreshOldest();
        if (Interlocked.Read(ref _oldestAcceptedAtMs) < 0)
        {
            // Empty: give the log's disk space back instead of keeping an outage's worth of WAL.
            Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        }
    }

    private static void Run<T>(TaskCompletionSource<T> done, Func<T> work)
    {
        try
        {
            done.TrySetResult(work());
        }
#pragma warning disable CA1031 // Handed to the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            done.TrySetException(ex);
        }
    }

    private static void Run(TaskCompletionSource done, Action work)
    {
        try
        {
            work();
            done.TrySetResult();
        }
#pragma warning disable CA1031 // Handed to the caller.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            done.TrySetException(ex);
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        _operations.Writer.TryComplete();
        await _writer;
        await _connection.DisposeAsync();
    }

    private abstract record Operation;

    private sealed record Append(string Key, string Type, string Id, byte[] Body, long AcceptedAtMs, string? TraceParent, string? TraceState) : Operation
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record ReadOldest(int Max) : Operation
    {
        public TaskCompletionSource<IReadOnlyList<SpooledEvent>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Delete(IReadOnlyList<SpooledEvent> Events) : Operation
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The spool at {SpoolPath} holds {Depth} events ({Bytes} bytes) left by a previous process; forwarding them when RabbitMQ confirms")]
    private static partial void LogFound(ILogger logger, long depth, long bytes, string spoolPath);

    [LoggerMessage(Level = LogLevel.Error, Message = "Spooled {EventType} {CloudEventId} cannot be read back ({Problem}); kept in the spool's unreadable table, not forwarded")]
    private static partial void LogUnreadable(ILogger logger, string eventType, string cloudEventId, string problem);
}
