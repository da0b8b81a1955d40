using Allos.Tools;

namespace Allos.Mcp;

/// <summary>
/// One MCP server whose tools an agent may use: a program started over stdio (<see cref="Command"/>) or a Streamable
/// HTTP endpoint (<see cref="Url"/>), with the tools it offers, how they are approved and how long a call may take.
/// </summary>
/// <remarks>
/// Read from <c>allos.yaml</c>'s <c>mcp_servers:</c> and from a <c>.mcp.json</c> (see <see cref="McpConfiguration"/>).
/// Security: a server's tools run whatever the server does; their descriptions and results come from the server and
/// may try to steer the model (prompt injection). Calls ask first unless the server marks a tool read-only and closed-world
/// or <see cref="Approval"/> says otherwise.
/// </remarks>
public sealed class McpServerOptions
{
    /// <summary>Gets or sets the server's name, used in tool names (<c>mcp__NAME__tool</c>) and messages.</summary>
    public required string Name { get; set; }

    /// <summary>Gets or sets the program to start for a stdio server. Default: <see langword="null"/> (an HTTP server).</summary>
    public string? Command { get; set; }

    /// <summary>Gets the program's arguments. Default: empty.</summary>
    public IList<string> Arguments { get; } = [];

    /// <summary>Gets the environment variables set for the program, on top of this process's. Default: empty.</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Gets or sets the folder the program starts in. Default: <see langword="null"/> (the current folder).</summary>
    public string? WorkingDirectory { get; set; }

    /// <summary>Gets or sets the endpoint of a Streamable HTTP server. Default: <see langword="null"/> (a stdio server).</summary>
    public Uri? Url { get; set; }

    /// <summary>Gets the HTTP headers sent with every request to <see cref="Url"/> (such as <c>Authorization</c>). Default: empty.</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets the server's tools to offer, by their MCP names. Default: <see langword="null"/> (all of them).</summary>
    public IList<string>? Tools { get; set; }

    /// <summary>Gets the server's tools never to offer, by their MCP names. Default: empty.</summary>
    public IList<string> Exclude { get; } = [];

    /// <summary>
    /// Gets or sets the permission of every tool of the server, over what its annotations suggest. Default:
    /// <see langword="null"/>: a tool annotated <c>readOnlyHint</c> (and not <c>openWorldHint</c>) is allowed, any other asks.
    /// </summary>
    public ToolPermission? Approval { get; set; }

    /// <summary>Gets the permissions of single tools, by their MCP names; they win over <see cref="Approval"/>. Default: empty.</summary>
    public IDictionary<string, ToolPermission> ToolApprovals { get; } = new Dictionary<string, ToolPermission>(StringComparer.Ordinal);

    /// <summary>
    /// Gets or sets whether the server may ask for model completions (MCP sampling) when <see cref="McpServers.Sampling"/>
    /// is set: <see cref="ToolPermission.Ask"/> asks <see cref="McpSamplingOptions.Approval"/> each time,
    /// <see cref="ToolPermission.Allow"/> sends the request without asking, <see cref="ToolPermission.Deny"/> does not offer
    /// the <c>sampling</c> capability to this server at all. Default: <see cref="ToolPermission.Ask"/>.
    /// </summary>
    public ToolPermission Sampling { get; set; } = ToolPermission.Ask;

    /// <summary>
    /// Gets or sets the model or alias that answers this server's sampling requests, over the server's hints and
    /// <see cref="McpSamplingOptions.Model"/>. Default: <see langword="null"/>.
    /// </summary>
    public string? SamplingModel { get; set; }

    /// <summary>Gets or sets the longest a start, a listing or one call may take. Default: 60 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Gets or sets a value indicating whether the server is used at all. Default: <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets where the server was configured (<c>allos.yaml:12</c>, <c>.mcp.json</c>), for messages. Default: <see langword="null"/>.</summary>
    public string? Source { get; set; }

    /// <summary>Gets the transport's name: <c>stdio</c> or <c>http</c>.</summary>
    public string Transport => Url is null ? "stdio" : "http";

    /// <summary>Checks that exactly one transport is set.</summary>
    /// <exception cref="ConfigurationException">Neither or both of <see cref="Command"/> and <see cref="Url"/> are set; the message names the server.</exception>
    public void Validate()
    {
        string where = Source is null ? "" : $"{Source}: ";
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ConfigurationException($"{where}an MCP server needs a name.");
        }

        if (string.IsNullOrWhiteSpace(Command) == (Url is null))
        {
            throw new ConfigurationException(Url is null
                ? $"{where}MCP server '{Name}' needs a command (a program started over stdio) or a url (a Streamable HTTP endpoint)."
                : $"{where}MCP server '{Name}' has both a command and a url; keep one.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw new ConfigurationException($"{where}MCP server '{Name}': timeout must be more than 0.");
        }
    }
}
