using System.Collections.ObjectModel;

namespace Allos.Tools.BuiltIn;

/// <summary>
/// The tools Allos ships: files (<c>read_file</c>, <c>write_file</c>, <c>edit_file</c>, <c>list_directory</c>), search
/// (<c>glob</c>, <c>grep</c>), <c>shell</c>, <c>web_fetch</c> and <c>web_search</c>. Every path argument is confined to the call's
/// <see cref="ToolContext.Workspace"/>.
/// </summary>
/// <remarks>
/// The tool and parameter names are a contract: models and saved sessions depend on them. Read-only tools are allowed
/// by default; writing, running commands and fetching URLs ask. The tools are immutable and thread-safe.
/// </remarks>
public static class BuiltInTools
{
    /// <summary>Gets every built-in tool, in a stable order, with the default shell sandbox (<see cref="ShellSandboxMode.Auto"/>, no network).</summary>
    public static IReadOnlyList<Tool> All { get; } = Create();

    /// <summary>
    /// The name an agent lists among its tools for the provider's own web search (OpenAI search models, Anthropic's web
    /// search tool, Gemini's grounding with Google Search) instead of the <c>web_search</c> tool. The provider runs it, so
    /// it asks no approval: listing it is the consent. Providers without one refuse the request.
    /// </summary>
    public const string HostedWebSearch = "hosted_web_search";

    /// <summary>
    /// Says where <c>web_search</c> would send a query now — the backend, its endpoint and the variable that chose it — or
    /// what to set when none is configured. Never the key.
    /// </summary>
    public static string DescribeWebSearch()
    {
        try
        {
            WebSearchBackend backend = WebSearchBackend.Resolve(Environment.GetEnvironmentVariable);
            return $"{backend.Name} · {backend.Endpoint.GetLeftPart(UriPartial.Path)} (from {backend.Source})";
        }
        catch (ToolException ex)
        {
            return $"none ({ex.Message})";
        }
    }

    /// <summary>Creates every built-in tool, in the order of <see cref="All"/>, with the given shell sandbox.</summary>
    /// <param name="sandbox">The <c>shell</c> tool's sandbox. Default: <see langword="null"/> (<see cref="ShellSandboxMode.Auto"/>, no network).</param>
    public static IReadOnlyList<Tool> Create(ShellSandboxOptions? sandbox = null) => Array.AsReadOnly(
    [
        ReadFileTool.Create(),
        WriteFileTool.Create(),
        EditFileTool.Create(),
        ListDirectoryTool.Create(),
        GlobTool.Create(),
        GrepTool.Create(),
        ShellTool.Create(sandbox ?? new ShellSandboxOptions()),
        WebFetchTool.Create(),
        WebSearchTool.Create(),
    ]);

    /// <summary>Gets the named groups of tool names: <c>files</c>, <c>search</c>, <c>shell</c> and <c>web</c>.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; } = new ReadOnlyDictionary<string, IReadOnlyList<string>>(
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["files"] = Array.AsReadOnly(["read_file", "write_file", "edit_file", "list_directory"]),
            ["search"] = Array.AsReadOnly(["glob", "grep"]),
            ["shell"] = Array.AsReadOnly(["shell"]),
            ["web"] = Array.AsReadOnly(["web_fetch", "web_search"]),
        });
}
