namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A test on the local clusters of <c>deploy/local/services.sh cluster-start</c>. <c>./test.sh</c> sets
/// <c>SYNCGW_TEST_CLUSTER_UNAVAILABLE</c> to the reason when the clusters could not be started on this machine: the test
/// is then reported as skipped with that reason rather than failing on a missing variable. Without that variable a
/// missing cluster still fails the test, so a run outside <c>./test.sh</c> cannot skip it by accident.
/// </summary>
public sealed class ClusterFactAttribute : FactAttribute
{
    public ClusterFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("SYNCGW_TEST_CLUSTER_UNAVAILABLE") is { Length: > 0 } reason)
        {
            Skip = reason;
        }
    }
}
