using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>How a model call ended, when it did not produce a response; the calls it asked for when it did.</summary>
internal sealed class ModelTurnOutcome : TurnOutcome
{
    public List<FunctionCallContent> Calls { get; } = [];
}
