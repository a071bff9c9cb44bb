using Microsoft.Extensions.Options;
using SyncGateway.Repair;
using SyncGateway.Store;

namespace SyncGateway.Tests.Support;

internal static class TestRepair
{
    /// <summary>The gap repair's state on <paramref name="store"/>; with <paramref name="on"/> false its tracking does nothing.</summary>
    public static RepairState State(IKeyValueStore store, TimeProvider time, bool on = true, RepairOptions? options = null)
        => new(store, Options.Create(options ?? new RepairOptions()), new RepairSwitch(on), TestTelemetry.Create(), time);

    /// <summary>The group state repair's baseline on <paramref name="store"/>; with <paramref name="on"/> false its tracking does nothing.</summary>
    public static GroupBaseline Baseline(IKeyValueStore store, bool on = true)
        => new(store, Options.Create(new RepairOptions()), new RepairSwitch(on));
}
