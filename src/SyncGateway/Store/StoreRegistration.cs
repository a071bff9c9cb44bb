using Microsoft.Extensions.DependencyInjection.Extensions;
using StackExchange.Redis;
using SyncGateway.Hosting;

namespace SyncGateway.Store;

internal static class StoreRegistration
{
    /// <summary>Redis when <c>Redis:Configuration</c> is set, otherwise the non-durable in-memory store.</summary>
    public static IHostApplicationBuilder AddStore(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<RedisOptions>(RedisOptions.SectionName, Validate);
        var options = builder.ReadOptions<RedisOptions>(RedisOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);

        if (string.IsNullOrWhiteSpace(options.Configuration))
        {
            builder.Services.AddSingleton<IKeyValueStore, InMemoryKeyValueStore>();
            builder.Services.AddStartupWarning("Redis:Configuration is not set: dedupe markers and origin tags live in process memory. This mode is NOT durable and must not run in production.");
            return builder;
        }

        builder.Services.AddSingleton<IKeyValueStore>(_ =>
        {
            var configuration = ConfigurationOptions.Parse(options.Configuration);
            // Start even while Redis is down; consumers retry and readiness reports it.
            configuration.AbortOnConnectFail = false;
            configuration.ConnectTimeout = 3000;
            configuration.SyncTimeout = 3000;
            return new RedisKeyValueStore(ConnectionMultiplexer.Connect(configuration), options.KeyPrefix, options.WaitReplicas, options.WaitTimeoutMilliseconds);
        });
        return builder;
    }

    private static IEnumerable<string> Validate(RedisOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.Configuration))
        {
            string? error = null;
            try
            {
                ConfigurationOptions.Parse(options.Configuration);
            }
            catch (ArgumentException ex)
            {
                error = $"Redis:Configuration is not a valid StackExchange.Redis configuration string: {ex.Message}";
            }
            if (error is not null)
            {
                yield return error;
            }
        }
        if (options.WaitReplicas is < 0 or > 10)
        {
            yield return "Redis:WaitReplicas must be between 0 and 10";
        }
        if (options.WaitTimeoutMilliseconds is < 10 or > 5000)
        {
            yield return "Redis:WaitTimeoutMilliseconds must be between 10 and 5000";
        }
        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            yield return "Redis:KeyPrefix must not be empty";
        }
        else if (options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            // A brace would change which part of a key Redis Cluster hashes, and split keys that must share a slot.
            yield return "Redis:KeyPrefix must not contain '{' or '}'";
        }
    }
}
