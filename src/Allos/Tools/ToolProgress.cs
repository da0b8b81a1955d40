namespace Allos.Tools;

/// <summary>How far a running tool call has got, as the tool reports it (an MCP server's <c>notifications/progress</c>).</summary>
/// <param name="Progress">The amount done so far; it only grows during one call.</param>
/// <param name="Total">The amount to do, when the tool knows it.</param>
/// <param name="Message">What the tool is doing now, in its own words, when it says.</param>
public sealed record ToolProgress(double Progress, double? Total, string? Message);
