namespace Allos.Configuration;

/// <summary>The gateway server's section of allos.yaml (<c>gateway:</c>): where it listens and which models it serves.</summary>
public sealed class GatewaySettings
{
    /// <summary>Gets or sets <c>gateway.host</c>, the address to listen on. Default: <see langword="null"/> (the server's own default, 127.0.0.1).</summary>
    public string? Host { get; set; }

    /// <summary>Gets or sets <c>gateway.port</c>. Default: <see langword="null"/> (the server's own default, 4000).</summary>
    public int? Port { get; set; }

    /// <summary>
    /// Gets <c>gateway.models</c>: the <c>provider/model</c> ids the server serves besides the aliases, as exact ids or
    /// patterns ending in <c>*</c> (<c>openai/*</c>, <c>anthropic/claude-*</c>, <c>*</c>). Default: empty, which means every
    /// model of a provider whose credentials are set.
    /// </summary>
    public IList<string> Models { get; } = [];
}
