namespace SyncGateway.Store;

/// <summary>Section <c>Redis</c>.</summary>
internal sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>StackExchange.Redis configuration string (<c>Redis__Configuration</c>); empty = in-memory store.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key the gateway writes (<c>Redis__KeyPrefix</c>).</summary>
    public string KeyPrefix { get; set; } = "syncgw:";
}
