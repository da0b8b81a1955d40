using System.Threading.Channels;
using Allos.Tools;

namespace Allos.Agents.Turns;

/// <summary>Turns one call's progress reports into <see cref="ToolCallProgressEvent"/>s; reports after the turn's calls ended are dropped.</summary>
internal sealed class ProgressEvents(ChannelWriter<RunEvent> writer, string agent, string callId, string toolName) : IProgress<ToolProgress>
{
    public void Report(ToolProgress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        writer.TryWrite(new ToolCallProgressEvent(agent, callId, toolName, value));
    }
}
