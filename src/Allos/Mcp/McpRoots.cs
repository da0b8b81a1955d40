using ModelContextProtocol.Protocol;

namespace Allos.Mcp;

// Roots are deprecated from protocol 2026-07-28 (SEP-2577), but servers on earlier versions still ask for them.
#pragma warning disable MCP9005

/// <summary>The answer to a server's <c>roots/list</c>: the workspace folder, as a <c>file://</c> URI named after the folder.</summary>
internal static class McpRoots
{
    public static ListRootsResult Of(string folder)
    {
        string full = Path.GetFullPath(folder);
        string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(full));
        return new ListRootsResult { Roots = [new Root { Uri = new Uri(full).AbsoluteUri, Name = name.Length > 0 ? name : full }] };
    }
}
