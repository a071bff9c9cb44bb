using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SyncGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Ports for servers that a test stops and starts again on the same port. A port the kernel hands out for
/// "any free port" comes from the ephemeral range, which outgoing connections draw from too: while the server is
/// down, any client (a CLI, a reconnecting bus) may take it as its local port and the restart fails with "address in
/// use". These come from below that range.
/// </summary>
internal static class LoopbackPorts
{
    private const int Lowest = 10_000;

    /// <summary>A port below the ephemeral range that nothing listens on now.</summary>
    public static int Free()
    {
        var below = EphemeralRangeStart();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Lowest, below);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"no free port between {Lowest} and {below}");
    }

    /// <summary>Whether a TCP connection to 127.0.0.1 on <paramref name="port"/> is accepted now.</summary>
    public static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            // Any address, not only loopback: a server that binds every interface must find the port free too.
            var listener = new TcpListener(IPAddress.Any, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Linux's default is 32768; elsewhere (or unreadable) stay below the IANA range, 49152.
    private static int EphemeralRangeStart()
    {
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(range[0], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return 49_152;
        }
    }
}
