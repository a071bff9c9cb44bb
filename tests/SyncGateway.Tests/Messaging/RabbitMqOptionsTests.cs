using Microsoft.Extensions.Options;
using SyncGateway.Messaging;

namespace SyncGateway.Tests.Messaging;

public sealed class RabbitMqOptionsTests
{
    private static RabbitMqOptions Resolve(params (string Key, string Value)[] settings) => MessagingSettings.Resolve<RabbitMqOptions>(settings);

    [Fact]
    public void Relay_queues_default_to_classic_queue_version_2()
    {
        Assert.Equal(2, Resolve().ClassicQueueVersion);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1")]
    [InlineData("2")]
    public void Accepts_the_brokers_default_and_both_versions(string version)
    {
        Assert.Equal(int.Parse(version, System.Globalization.CultureInfo.InvariantCulture), Resolve(("RabbitMq:ClassicQueueVersion", version)).ClassicQueueVersion);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("-1")]
    public void Rejects_any_other_queue_version_by_name(string version)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(("RabbitMq:ClassicQueueVersion", version)));

        Assert.Contains("RabbitMq:ClassicQueueVersion must be 0 (the broker's default), 1 or 2", error.Message, StringComparison.Ordinal);
    }
}
