using SyncGateway.Import;

namespace SyncGateway.Tests.Import;

public sealed class KeyedSchedulerTests
{
    [Fact]
    public async Task Runs_one_keys_work_in_order_and_never_holds_up_other_keys()
    {
        using var scheduler = new KeyedScheduler(parallelism: 4);
        var gate = new TaskCompletionSource();
        var order = new List<string>();
        var otherKeyRan = new TaskCompletionSource();

        await scheduler.EnqueueAsync("a", async () => { await gate.Task; lock (order) { order.Add("a1"); } }, default);
        await scheduler.EnqueueAsync("a", () => { lock (order) { order.Add("a2"); } return Task.CompletedTask; }, default);
        await scheduler.EnqueueAsync("b", () => { otherKeyRan.SetResult(); return Task.CompletedTask; }, default);

        await otherKeyRan.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(order);
        gate.SetResult();
        await scheduler.DrainAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["a1", "a2"], order);
    }

    [Fact]
    public async Task Runs_at_most_parallelism_items_at_once()
    {
        using var scheduler = new KeyedScheduler(parallelism: 3);
        var gate = new TaskCompletionSource();
        var running = 0;
        var peak = 0;

        for (var i = 0; i < 10; i++)
        {
            await scheduler.EnqueueAsync(null, async () =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref peak, now);
                await gate.Task;
                Interlocked.Decrement(ref running);
            }, default);
        }
        gate.SetResult();
        await scheduler.DrainAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, peak);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
