namespace SyncGateway.Store;

/// <summary>Section <c>Redis</c>.</summary>
internal sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>StackExchange.Redis configuration string (<c>Redis__Configuration</c>); empty = in-memory store.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key the gateway writes (<c>Redis__KeyPrefix</c>).</summary>
    public string KeyPrefix { get; set; } = "syncgw:";

    /// <summary>
    /// Replicas that must have a parked or faulted event before its RabbitMQ message is acknowledged
    /// (<c>Redis__WaitReplicas</c>, Redis <c>WAIT</c>); 0 = do not wait (a standalone Redis has none). Set 1 on Redis
    /// Cluster or Sentinel with replicas, so that a failover cannot lose one.
    /// </summary>
    public int WaitReplicas { get; set; }

    /// <summary>How long that wait may take (<c>Redis__WaitTimeoutMilliseconds</c>); fewer acknowledgements fail the write, which is retried.</summary>
    public int WaitTimeoutMilliseconds { get; set; } = 500;
}
