using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>How a model call ended, when it did not produce a response; the calls it asked for when it did.</summary>
internal sealed class ModelTurnOutcome : TurnOutcome
{
    public List<FunctionCallContent> Calls { get; } = [];

    /// <summary>
    /// Gets or sets a value indicating whether the provider paused a long turn of its own tools (Anthropic's
    /// <c>pause_turn</c>, during a hosted web search): the answer is not finished, and sending the history back resumes it.
    /// </summary>
    public bool Paused { get; set; }
}
