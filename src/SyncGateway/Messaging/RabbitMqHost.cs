using System.Globalization;
using MassTransit;
using RabbitMQ.Client;

namespace SyncGateway.Messaging;

/// <summary>A node of <c>RabbitMq:ClusterNodes</c>.</summary>
internal readonly record struct RabbitMqNode(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Parses comma-separated <c>host:port</c> entries (empty entries skipped); false with the first bad entry in
    /// <paramref name="invalid"/>. Host names and IPv4 addresses only: MassTransit splits a node at its colon.
    /// </summary>
    public static bool TryParseList(string? value, out IReadOnlyList<RabbitMqNode> nodes, out string? invalid)
    {
        var parsed = new List<RabbitMqNode>();
        nodes = parsed;
        invalid = null;
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Split(':') is not [var host, var port]
                || System.Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4)
                || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                || number is < 1 or > 65535)
            {
                invalid = entry;
                return false;
            }
            parsed.Add(new RabbitMqNode(host, number));
        }
        return true;
    }
}

/// <summary>
/// How the gateway reaches RabbitMQ, for the bus and for the connections it opens itself (the admin API's queue
/// counts): the host of <c>RabbitMq:Uri</c>, or the nodes of <c>RabbitMq:ClusterNodes</c> with the Uri's credentials
/// and virtual host, so that both fail over alike.
/// </summary>
internal static class RabbitMqHost
{
    /// <summary>
    /// The bus's host, with publisher confirms. With cluster nodes, MassTransit connects to the first and, after a
    /// failed connect or a lost connection, to the next in turn; its receive endpoints and sends then reconnect there.
    /// </summary>
    public static void Configure(IRabbitMqBusFactoryConfigurator cfg, RabbitMqOptions options)
    {
        var nodes = Nodes(options);
        cfg.Host(new Uri(options.Uri!), host =>
        {
            host.PublisherConfirmation = true;
            if (nodes.Count > 0)
            {
                host.UseCluster(cluster =>
                {
                    foreach (var node in nodes)
                    {
                        cluster.Node(node.ToString());
                    }
                });
            }
        });
    }

    /// <summary>A connection of its own, to the first node (in random order) that accepts it.</summary>
    public static Task<IConnection> ConnectAsync(RabbitMqOptions options, string clientName, CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory { Uri = new Uri(options.Uri!) };
        var nodes = Nodes(options);
        return nodes.Count == 0
            ? factory.CreateConnectionAsync(clientName, cancellationToken)
            // Each node is reached with the Uri's TLS settings, as the bus does.
            : factory.CreateConnectionAsync([.. nodes.Select(node => new AmqpTcpEndpoint(node.Host, node.Port, factory.Ssl))], clientName, cancellationToken);
    }

    /// <summary>Validated at start-up (<see cref="MessagingRegistration"/>), so a bad list cannot reach here.</summary>
    private static IReadOnlyList<RabbitMqNode> Nodes(RabbitMqOptions options)
        => RabbitMqNode.TryParseList(options.ClusterNodes, out var nodes, out var invalid)
            ? nodes
            : throw new InvalidOperationException($"RabbitMq:ClusterNodes has an invalid entry '{invalid}'");
}
