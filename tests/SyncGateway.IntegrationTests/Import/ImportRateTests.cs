using SyncGateway.Fakes.Im;
using SyncGateway.Import;

namespace SyncGateway.IntegrationTests.Import;

public sealed class ImportRateTests
{
    private const int Limit = 50;
    private const int Windows = 5;

    [Fact]
    public async Task Keeps_within_a_few_percent_of_the_configured_rate_and_never_above_it_in_any_second()
    {
        // As the import command does (ImportCli): the fake IM shares this process, and without spare pool threads about
        // one run in three on a 2-core runner loses a round (~0.9 s) waiting for thread injection.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        await using var rig = await ImportRig.StartAsync(callsPerSecond: Limit, requireImportedAccounts: false);
        rig.Im.EnforceRateLimit(FakeImApis.ImportMsg, Limit);
        // The accounts phase opens the client's pooled connections: a cold start delays single calls by up to a second.
        rig.Write(ImportPhases.Accounts, Enumerable.Range(0, 100 * rig.Options.Parallelism).Select(i => Lines.Account($"u{i}")));
        rig.Write(ImportPhases.C2CMessages, Enumerable.Range(0, Limit * Windows)
            .Select(i => Lines.C2C($"c{i}", $"a{i % 40}", $"b{i % 40}", Lines.Created + i)));

        var (outcome, _) = await rig.RunAsync();

        Assert.Equal(ImportOutcome.Completed, outcome);
        var calls = rig.Im.CallsTo(FakeImApis.ImportMsg);
        Assert.Equal(Limit * Windows, calls.Count);
        Assert.Equal(0, rig.Im.RateLimitViolations(FakeImApis.ImportMsg));
        Assert.True(rig.Im.MaxCallsInAnyWindow(FakeImApis.ImportMsg) <= Limit, $"{rig.Im.MaxCallsInAnyWindow(FakeImApis.ImportMsg)} calls arrived within one second");
        var arrivals = calls.Select(call => call.ArrivalTimestamp).Order().ToArray();
        var seconds = (double)(arrivals[^1] - arrivals[0]) / rig.Im.Options.TimeProvider.TimestampFrequency;
        // The first window's calls start at once; the rate is how fast the remaining ones follow.
        var rate = (arrivals.Length - Limit) / seconds;
        Assert.InRange(rate, Limit * 0.95, Limit);
    }
}
