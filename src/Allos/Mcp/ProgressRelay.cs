using Allos.Tools;
using ModelContextProtocol;

namespace Allos.Mcp;

/// <summary>Passes an MCP server's progress notifications on as <see cref="ToolProgress"/>, on the thread they arrive.</summary>
internal sealed class ProgressRelay(IProgress<ToolProgress> target) : IProgress<ProgressNotificationValue>
{
    public void Report(ProgressNotificationValue value) =>
        target.Report(new ToolProgress(value.Progress, value.Total, string.IsNullOrWhiteSpace(value.Message) ? null : value.Message));
}
