using System.Collections.Concurrent;
using System.Threading.Channels;
using SyncGateway.Benchmarks.Infrastructure;
using SyncGateway.Benchmarks.Load;
using SyncGateway.Fakes;
using SyncGateway.Fakes.Im;

namespace SyncGateway.Benchmarks.Scenarios;

/// <summary>One direction end to end at a fixed offered load.</summary>
internal sealed record EndToEndResult(double OfferedPerSecond, long Accepted, long Refused, int Delivered, double DeliveredPerSecond, LatencySummary Latency, bool Drained, CpuUsage Cpu);

/// <summary>Both directions at once, every write echoed back by the other side.</summary>
internal sealed record EchoResult(
    double OfferedPerSecond,
    int Delivered,
    double RelayedPerSecond,
    int ImEchoes,
    int LegacyEchoes,
    int SuppressedLogged,
    int Leaked,
    bool Drained)
{
    public int Echoes => ImEchoes + LegacyEchoes;

    public double SuppressedShare => Echoes == 0 ? double.NaN : (double)(Echoes - Leaked) / Echoes;
}

/// <summary>
/// The relay, end to end, through one gateway process with running consumers: callbacks to the stub legacy system,
/// legacy deltas to the stub IM, and both with echoes.
/// </summary>
internal sealed class Relay : IAsyncDisposable
{
    /// <summary>Items of legacy origin are numbered from here; below it they came from IM. An echo names its origin.</summary>
    public const long LegacyOrigin = 1_000_000_000;

    private const int LegacyGroups = 50;

    private readonly BenchRig _rig;
    private readonly BenchmarkProfile _profile;
    private readonly GatewayUnderTest _gateway;
    private readonly ImCallbackTraffic _callbacks;
    private readonly LegacyDeltaTraffic _deltas;
    private long _imSequence;
    private long _legacySequence = LegacyOrigin;

    private Relay(BenchRig rig, BenchmarkProfile profile, GatewayUnderTest gateway, long imSequence)
    {
        _rig = rig;
        _profile = profile;
        _gateway = gateway;
        _imSequence = imSequence;
        _callbacks = new ImCallbackTraffic(gateway.Http, BenchRig.SdkAppId, BenchRig.CallbackToken);
        _deltas = new LegacyDeltaTraffic(gateway.Http, BenchRig.IngressSecret, LegacyGroups);
    }

    /// <summary>
    /// IM is asked to call back for the gateway's own writes too (<c>Im__ForbidCallbacksOnSend=false</c>), so that
    /// every write is echoed; and the client-side IM rate limit is lifted, so the gateway, not the limiter, is measured.
    /// </summary>
    public static async Task<Relay> StartAsync(BenchRig rig, BenchmarkProfile profile, long imSequence)
    {
        var gateway = await rig.StartGatewayAsync("relay", profile.Clients, new Dictionary<string, string>
        {
            ["Im__ForbidCallbacksOnSend"] = "false",
            ["Im__RestCallsPerSecond"] = "10000",
        });
        return new Relay(rig, profile, gateway, imSequence);
    }

    private long NextIm() => Interlocked.Increment(ref _imSequence);

    private long NextLegacy() => Interlocked.Increment(ref _legacySequence);

    public async Task<EndToEndResult> ImToLegacyAsync(double offeredPerSecond)
    {
        var tracker = new DeliveryTracker();
        void OnAccepted(ReceivedCloudEvent e) => Arrived(tracker, ImCallbackTraffic.SequenceOf(e.Data));
        _rig.Legacy.EventAccepted += OnAccepted;
        await LoadRunner.OpenLoopAsync(offeredPerSecond, _profile.Warmup, 4 * _profile.Clients, NextIm, (n, _) => _callbacks.PostAsync(n), null);
        var cpu = CpuMeter.Start(_gateway.Process.ProcessId);
        var load = await LoadRunner.OpenLoopAsync(offeredPerSecond, _profile.Measure, 4 * _profile.Clients, NextIm, Tracked(tracker, _callbacks.PostAsync), null);
        var drained = await tracker.WaitForAllAsync(_profile.Drain);
        var used = cpu.Stop();
        _rig.Legacy.EventAccepted -= OnAccepted;
        return new EndToEndResult(offeredPerSecond, load.Accepted, load.Failed, tracker.Delivered, tracker.DeliveredPerSecond, tracker.Latency, drained, used);
    }

    public async Task<EndToEndResult> LegacyToImAsync(double offeredPerSecond)
    {
        await EnsureLegacyGroupsAsync();
        var tracker = new DeliveryTracker();
        _rig.Im.CallObserved = call => Arrived(tracker, call.ErrorCode == 0 ? SequenceOf(call) : null);
        await LoadRunner.OpenLoopAsync(offeredPerSecond, _profile.Warmup, 4 * _profile.Clients, NextLegacy, (n, _) => _deltas.SendMessageAsync(n), null);
        var cpu = CpuMeter.Start(_gateway.Process.ProcessId);
        var load = await LoadRunner.OpenLoopAsync(offeredPerSecond, _profile.Measure, 4 * _profile.Clients, NextLegacy, Tracked(tracker, _deltas.SendMessageAsync), null);
        var drained = await tracker.WaitForAllAsync(_profile.Drain);
        var used = cpu.Stop();
        _rig.Im.CallObserved = null;
        return new EndToEndResult(offeredPerSecond, load.Accepted, load.Failed, tracker.Delivered, tracker.DeliveredPerSecond, tracker.Latency, drained, used);
    }

    /// <summary>
    /// The legacy groups that the legacy traffic's group messages go to, created through the gateway once per relay
    /// gateway, whichever scenario comes first (without them IM refuses those messages with 10010).
    /// </summary>
    private async Task EnsureLegacyGroupsAsync()
    {
        if (Enumerable.Range(0, LegacyGroups).All(k => _rig.Im.GetGroup(LegacyDeltaTraffic.GroupId(k)) is not null))
        {
            return;
        }
        var created = await Task.WhenAll(Enumerable.Range(0, LegacyGroups).Select(k => _deltas.CreateGroupAsync(k)));
        if (!created.All(ok => ok))
        {
            throw new InvalidOperationException("the gateway refused a legacy group creation");
        }
        var groupsDeadline = DateTime.UtcNow + _profile.Drain;
        while (Enumerable.Range(0, LegacyGroups).Any(k => _rig.Im.GetGroup(LegacyDeltaTraffic.GroupId(k)) is null))
        {
            if (DateTime.UtcNow > groupsDeadline)
            {
                throw new TimeoutException("the legacy groups were not created in IM in time");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Half the offered load from each side. Legacy posts back every event it receives (alternately with and without
    /// <c>syncorigin</c>); IM calls back for every write. An echo that reaches the other side is a leak.
    /// </summary>
    public async Task<EchoResult> EchoAsync(double offeredPerSecond)
    {
        await EnsureLegacyGroupsAsync();
        var tracker = new DeliveryTracker();
        var leaks = new ConcurrentDictionary<long, bool>();
        var legacyEchoes = 0;
        var echoQueue = Channel.CreateUnbounded<ReceivedCloudEvent>();
        void OnAccepted(ReceivedCloudEvent e)
        {
            var n = ImCallbackTraffic.SequenceOf(e.Data);
            if (n >= LegacyOrigin)
            {
                leaks.TryAdd(n.Value, true);
            }
            else if (Arrived(tracker, n))
            {
                echoQueue.Writer.TryWrite(e);
            }
        }
        _rig.Legacy.EventAccepted += OnAccepted;
        _rig.Im.CallObserved = call =>
        {
            // A leaked echo counts even when IM refuses it (a lifecycle call for a group IM never had).
            var n = SequenceOf(call);
            if (n < LegacyOrigin)
            {
                leaks.TryAdd(n.Value, true);
            }
            else if (call.ErrorCode == 0)
            {
                Arrived(tracker, n);
            }
        };
        var imCallbacksBefore = DeliveredImCallbacks();
        var suppressedBefore = _gateway.Process.CountLogMessages("Suppressed ");
        _rig.Im.Options.CallbackUrl = new Uri(_gateway.Process.BaseAddress, "/im/callbacks");
        var echoers = Enumerable.Range(0, _profile.Clients).Select(_ => Task.Run(async () =>
        {
            await foreach (var received in echoQueue.Reader.ReadAllAsync())
            {
                var withOrigin = ImCallbackTraffic.SequenceOf(received.Data) % 2 == 0;
                if (await _deltas.EchoAsync(received, withOrigin))
                {
                    Interlocked.Increment(ref legacyEchoes);
                }
            }
        })).ToArray();

        var perSide = offeredPerSecond / 2;
        var loads = await Task.WhenAll(
            LoadRunner.OpenLoopAsync(perSide, _profile.Measure, 4 * _profile.Clients, NextIm, Tracked(tracker, _callbacks.PostAsync), null),
            LoadRunner.OpenLoopAsync(perSide, _profile.Measure, 4 * _profile.Clients, NextLegacy, Tracked(tracker, _deltas.SendMessageAsync), null));
        var drained = await tracker.WaitForAllAsync(_profile.Drain);
        echoQueue.Writer.Complete();
        await Task.WhenAll(echoers);

        // Every echo was posted (the stub IM posts its callbacks one at a time, so it may still be sending them); wait
        // for the gateway to decide on each (a suppression logged, or a leak seen).
        var imEchoes = 0;
        var suppressed = 0;
        var deadline = DateTime.UtcNow + _profile.Drain;
        while (_rig.Im.PendingCallbacks > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }
        do
        {
            await Task.Delay(500);
            imEchoes = DeliveredImCallbacks() - imCallbacksBefore;
            suppressed = _gateway.Process.CountLogMessages("Suppressed ") - suppressedBefore;
        }
        while (suppressed + leaks.Count < imEchoes + legacyEchoes && DateTime.UtcNow < deadline);

        _rig.Im.Options.CallbackUrl = null;
        _rig.Legacy.EventAccepted -= OnAccepted;
        _rig.Im.CallObserved = null;
        return new EchoResult(offeredPerSecond, tracker.Delivered, tracker.DeliveredPerSecond, imEchoes, legacyEchoes, suppressed, leaks.Count,
            drained && suppressed + leaks.Count == imEchoes + legacyEchoes && loads.All(l => l.Failed == 0));
    }

    private int DeliveredImCallbacks() => _rig.Im.Callbacks.Count(c => c.Delivered);

    private static bool Arrived(DeliveryTracker tracker, long? n) => n is { } item && tracker.Arrived(item);

    private static SendOne Tracked(DeliveryTracker tracker, Func<long, Task<bool>> post) => async (n, scheduledAt) =>
    {
        tracker.Sending(n, scheduledAt);
        var ok = await post(n);
        if (!ok)
        {
            tracker.Refused(n);
        }
        return ok;
    };

    /// <summary>The item number in an IM REST call: its message text, or the lifecycle group id.</summary>
    private static long? SequenceOf(RecordedImCall call)
        => ImCallbackTraffic.SequenceOf(call.Body?["MsgBody"]?[0]?["MsgContent"]?["Text"]?.GetValue<string>(), call.Body?["GroupId"]?.GetValue<string>());

    public ValueTask DisposeAsync() => _gateway.DisposeAsync();
}
