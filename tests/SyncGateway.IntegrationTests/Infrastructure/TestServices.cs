using DotNet.Testcontainers.Configurations;
using SyncGateway.Fakes.Infrastructure;
using Testcontainers.RabbitMq;
using Testcontainers.Redis;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Decides once per test run where RabbitMQ and Redis come from, and says which: the servers named by
/// <c>SYNCGW_TEST_RABBITMQ</c> and <c>SYNCGW_TEST_REDIS</c> (what <c>./test.sh</c> starts on loopback) when they are
/// set, else containers when a Docker engine answers. Containers are removed by Testcontainers' reaper after the run.
/// </summary>
internal static class TestServices
{
    private const string RabbitMqVariable = "SYNCGW_TEST_RABBITMQ";
    private const string RedisVariable = "SYNCGW_TEST_REDIS";
    private const string RabbitMqCtlVariable = "SYNCGW_TEST_RABBITMQCTL";

    private static readonly Lazy<Task> Started = new(StartAsync);

    public static Task EnsureStartedAsync() => Started.Value;

    private static async Task StartAsync()
    {
        if (IsSet(RabbitMqVariable) && IsSet(RedisVariable))
        {
            Announce($"local servers: RabbitMQ {LocalServices.RabbitMq.Host}:{LocalServices.RabbitMq.Port}, Redis {LocalServices.Redis} ({RabbitMqVariable}, {RedisVariable})");
            return;
        }
        if (!DockerAnswers())
        {
            throw new InvalidOperationException(
                $"Neither {RabbitMqVariable}/{RedisVariable} are set nor does a Docker engine answer: run ./test.sh, which starts local servers");
        }
        // RabbitMQ refuses its default guest user from anywhere but the container's own loopback.
        var rabbit = new RabbitMqBuilder("rabbitmq:3.13").WithUsername("syncgw").WithPassword("syncgw").Build();
        var redis = new RedisBuilder("redis:7.0").Build();
        await Task.WhenAll(rabbit.StartAsync(), redis.StartAsync());
        Environment.SetEnvironmentVariable(RabbitMqVariable, rabbit.GetConnectionString());
        Environment.SetEnvironmentVariable(RedisVariable, redis.GetConnectionString());
        Environment.SetEnvironmentVariable(RabbitMqCtlVariable, $"docker exec {rabbit.Id} rabbitmqctl");
        Announce($"containers: RabbitMQ {rabbit.Image.FullName} at {rabbit.Hostname}:{rabbit.GetMappedPublicPort(RabbitMqBuilder.RabbitMqPort)}, Redis {redis.Image.FullName} at {redis.GetConnectionString()}");
    }

    private static bool IsSet(string variable) => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable));

    private static bool DockerAnswers()
    {
        try
        {
            return TestcontainersSettings.OS.DockerEndpointAuthConfig is not null;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // stderr reaches the console of `dotnet test` whatever the logger's verbosity.
    private static void Announce(string choice) => Console.Error.WriteLine($"Integration tests use {choice}.");
}
