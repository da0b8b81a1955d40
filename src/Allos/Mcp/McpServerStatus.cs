using Allos.Tools;

namespace Allos.Mcp;

/// <summary>What became of one MCP server when it was connected: its tools, or why it failed.</summary>
/// <param name="Name">The server's name.</param>
/// <param name="Transport"><c>stdio</c> or <c>http</c>.</param>
/// <param name="State"><c>connected</c>, <c>failed</c> or <c>disabled</c>.</param>
/// <param name="Error">Why it failed, or <see langword="null"/>.</param>
/// <param name="Tools">Its tools as Allos tools (after <c>tools:</c> and <c>exclude:</c>); empty unless connected.</param>
/// <param name="Warnings">What was left out and why (a name two tools share, an allow-list entry the server lacks).</param>
public sealed record McpServerStatus(string Name, string Transport, string State, string? Error, IReadOnlyList<Tool> Tools, IReadOnlyList<string> Warnings)
{
    /// <summary>Gets a value indicating whether the server started and listed its tools.</summary>
    public bool Connected => State == "connected";
}
