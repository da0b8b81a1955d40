using Allos.Configuration;
using Allos.Mcp;

namespace Allos.Cli.Commands;

/// <summary>
/// The MCP servers a command uses: <c>mcp_servers:</c> of <c>./allos.yaml</c>, then of the user's <c>allos.yaml</c>, then
/// <c>./.mcp.json</c>; a name configured in more than one place is taken from the first.
/// </summary>
internal static class McpServerConfig
{
    /// <exception cref="ConfigurationException">A file is invalid; the message names it (and the line, for allos.yaml).</exception>
    public static IReadOnlyList<McpServerOptions> Load(AllosOptions? project, AllosOptions? user)
    {
        IReadOnlyList<McpServerOptions> yaml = McpConfiguration.Merge(project?.McpServers ?? [], user?.McpServers ?? []);
        return McpConfiguration.Merge(yaml, McpConfiguration.LoadMcpJson(Path.GetFullPath(McpConfiguration.McpJsonFileName)));
    }

    /// <summary>
    /// The servers of <see cref="Load()"/>, told that the current folder is their root as a run's are told its workspace,
    /// so a listing shows what a run gets (server-filesystem, for one, then serves that folder).
    /// </summary>
    public static McpServers Open() => new(Load()) { Root = Path.GetFullPath(Environment.CurrentDirectory) };

    /// <summary>Reads the configuration files itself, for commands that need no model (<c>allos mcp</c>, <c>allos tools</c>).</summary>
    public static IReadOnlyList<McpServerOptions> Load()
    {
        string project = Path.GetFullPath("allos.yaml");
        string user = Path.Combine(AllosPaths.ConfigDirectory, "allos.yaml");
        return Load(File.Exists(project) ? AllosConfiguration.LoadFile(project) : null, File.Exists(user) ? AllosConfiguration.LoadFile(user) : null);
    }
}
