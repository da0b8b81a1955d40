namespace Allos.Agents.Guardrails;

/// <summary>The guardrail that stopped a run (<see cref="RunResult.Guardrail"/>).</summary>
/// <param name="Name">The guardrail's name.</param>
/// <param name="Stage">Whether it checked the input or the final answer.</param>
/// <param name="Reason">Why it tripped; never the offending text itself.</param>
public sealed record GuardrailTrip(string Name, GuardrailStage Stage, string Reason);
