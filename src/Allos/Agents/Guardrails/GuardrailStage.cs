namespace Allos.Agents.Guardrails;

/// <summary>What a guardrail checks: the user's input, before the model acts on it, or the agent's final answer.</summary>
public enum GuardrailStage
{
    /// <summary>The run's input, checked before the model's first response is acted on.</summary>
    Input,

    /// <summary>The final answer, checked before it is returned, shown or stored.</summary>
    Output,
}
