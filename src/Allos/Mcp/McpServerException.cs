namespace Allos.Mcp;

/// <summary>An MCP server could not be started, listed or reached; the message names the server and says why.</summary>
public sealed class McpServerException : AllosException
{
    /// <summary>Initializes a new instance of the <see cref="McpServerException"/> class.</summary>
    public McpServerException(string server, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Server = server;
    }

    /// <summary>Gets the name of the server.</summary>
    public string Server { get; }
}
