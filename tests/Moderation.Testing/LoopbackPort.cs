using System.Net;
using System.Net.Sockets;

namespace Moderation.Testing;

/// <summary>Ports for servers a test starts on 127.0.0.1.</summary>
public static class LoopbackPort
{
    /// <summary>A port the OS reports free right now (another process may still take it before the caller binds).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
