using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSubstitute;
using SyncGateway.Messaging;

namespace SyncGateway.Tests.Messaging;

public sealed class QueueDeclarationGuardTests
{
    private const string BrokerText =
        "The AMQP operation was interrupted: AMQP close-reason, initiated by Peer, code=406, text='PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'relay.im-to-legacy.00' in vhost 'v': received the value 'quorum' of type 'longstr' but current is none', classId=50, methodId=10";

    [Fact]
    public async Task A_queue_of_another_type_stops_the_gateway_once_with_exit_code_1()
    {
        var lifetime = Substitute.For<IHostApplicationLifetime>();
        var guard = new QueueDeclarationGuard(lifetime, NullLogger<QueueDeclarationGuard>.Instance, Options.Create(new RabbitMqOptions { QueueType = "quorum" }));
        var exitCode = Environment.ExitCode;
        try
        {
            await guard.Faulted(Fault(new InvalidOperationException("connect failed", new InvalidOperationException(BrokerText))));
            await guard.Faulted(Fault(new InvalidOperationException(BrokerText)));

            lifetime.Received(1).StopApplication();
            Assert.Equal(1, Environment.ExitCode);
        }
        finally
        {
            Environment.ExitCode = exitCode;
        }
    }

    [Fact]
    public void The_queue_and_the_differing_argument_come_from_the_broker_s_words()
    {
        var mismatch = QueueDeclarationGuard.Mismatch(new InvalidOperationException("outer", new InvalidOperationException(BrokerText)));

        Assert.Equal(("relay.im-to-legacy.00", "inequivalent arg 'x-queue-type' for queue 'relay.im-to-legacy.00' in vhost 'v': received the value 'quorum' of type 'longstr' but current is none"), mismatch);
    }

    [Fact]
    public async Task Any_other_endpoint_fault_leaves_the_gateway_running()
    {
        var lifetime = Substitute.For<IHostApplicationLifetime>();
        var guard = new QueueDeclarationGuard(lifetime, NullLogger<QueueDeclarationGuard>.Instance, Options.Create(new RabbitMqOptions()));

        await guard.Faulted(Fault(new InvalidOperationException("PRECONDITION_FAILED - cannot declare queue 'relay.im-to-legacy.00' in vhost 'v': exclusive lock, classId=50")));
        await guard.Faulted(Fault(new TimeoutException("broker unreachable")));

        lifetime.DidNotReceive().StopApplication();
    }

    private static ReceiveEndpointFaulted Fault(Exception exception)
    {
        var faulted = Substitute.For<ReceiveEndpointFaulted>();
        faulted.Exception.Returns(exception);
        faulted.InputAddress.Returns(new Uri("rabbitmq://127.0.0.1/v/relay.im-to-legacy.00"));
        return faulted;
    }
}
