namespace SyncGateway.IntegrationTests.Infrastructure;

internal static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task AssertAsync(Func<Task<bool>> condition, TimeSpan timeout, string because)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested)
            {
                Assert.Fail($"not within {timeout}: {because}");
            }
            await Task.Delay(50, CancellationToken.None);
        }
    }
}
