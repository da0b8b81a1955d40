using Allos.Mcp;

namespace Allos.IntegrationTests.Mcp;

/// <summary>
/// The real MCP servers the tests talk to: the npm reference servers that <c>.ci/run</c> installs into <c>.ci/node</c>
/// (or the folder <c>ALLOS_MCP_NODE_MODULES</c> names), and the in-repo fault server (tests/Allos.McpFaultServer).
/// </summary>
internal static class McpPeers
{
    public const string InstallCommand =
        "npm install --prefix .ci/node @modelcontextprotocol/server-everything@2026.8.31 @modelcontextprotocol/server-filesystem@2026.8.31";

    /// <summary>server-everything over stdio.</summary>
    public static McpServerOptions Everything(string name = "everything")
    {
        var options = new McpServerOptions { Name = name, Command = "node" };
        options.Arguments.Add(NpmServer("server-everything"));
        options.Arguments.Add("stdio");
        return options;
    }

    /// <summary>server-filesystem, allowed into <paramref name="folder"/> only.</summary>
    public static McpServerOptions Filesystem(string folder, string name = "files")
    {
        var options = new McpServerOptions { Name = name, Command = "node" };
        options.Arguments.Add(NpmServer("server-filesystem"));
        options.Arguments.Add(folder);
        return options;
    }

    /// <summary>The fault server; <paramref name="arguments"/> choose a mode (<c>fail-start</c>).</summary>
    public static McpServerOptions Faults(string name = "faults", params string[] arguments)
    {
        var options = new McpServerOptions { Name = name, Command = "dotnet" };
        options.Arguments.Add(FaultServerPath);
        foreach (string argument in arguments)
        {
            options.Arguments.Add(argument);
        }

        return options;
    }

    public static string FaultServerPath
    {
        get
        {
            // Built beside this project (a ProjectReference without the assembly): same configuration and framework.
            string separator = Path.DirectorySeparatorChar.ToString();
            string ours = $"{separator}Allos.IntegrationTests{separator}bin{separator}";
            string theirs = $"{separator}Allos.McpFaultServer{separator}bin{separator}";
            string path = Path.Combine(AppContext.BaseDirectory.Replace(ours, theirs, StringComparison.Ordinal), "Allos.McpFaultServer.dll");
            File.Exists(path).ShouldBeTrue($"The MCP fault server is not built at {path}: build tests/Allos.McpFaultServer (dotnet build Allos.slnx).");
            return path;
        }
    }

    /// <summary>The entry script of an npm reference server; a missing install fails the test and says how to install it.</summary>
    public static string NpmServer(string package)
    {
        string script = Path.Combine(NodeModules, "@modelcontextprotocol", package, "dist", "index.js");
        File.Exists(script).ShouldBeTrue($"The MCP reference server {package} is not installed at {script}. From the repository root run: {InstallCommand} (.ci/run does), or set ALLOS_MCP_NODE_MODULES to a node_modules folder that has it.");
        return script;
    }

    /// <summary>The node_modules folder of the npm peers: <c>ALLOS_MCP_NODE_MODULES</c>, or <c>.ci/node/node_modules</c>.</summary>
    public static string NodeModules => Environment.GetEnvironmentVariable("ALLOS_MCP_NODE_MODULES") is { Length: > 0 } custom
        ? custom
        : Path.Combine(RepositoryRoot(), ".ci", "node", "node_modules");

    public static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Allos.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Allos.slnx above {AppContext.BaseDirectory}.");
    }
}
