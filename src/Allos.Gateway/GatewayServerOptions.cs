namespace Allos.Gateway.Server;

/// <summary>What the gateway server serves and where it listens.</summary>
public sealed class GatewayServerOptions
{
    /// <summary>Gets or sets the Router every request goes through: its aliases are the server's models.</summary>
    public required Router Router { get; set; }

    /// <summary>
    /// Gets the <c>provider/model</c> ids served besides the aliases: exact ids or patterns ending in <c>*</c> (<c>openai/*</c>).
    /// Default: empty, which allows every id and lists the models of each provider whose credentials are set.
    /// </summary>
    public IList<string> Models { get; } = [];

    /// <summary>Gets or sets the address to listen on. Default: <c>127.0.0.1</c> (loopback only).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>Gets or sets the port to listen on; 0 picks a free one. Default: 4000.</summary>
    public int Port { get; set; } = 4000;

    /// <summary>Gets or sets how long in-flight requests and streams may run on after shutdown starts. Default: 30 seconds.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
