namespace Allos.Agents.Guardrails;

/// <summary>The kinds of <see cref="GuardrailResult"/>.</summary>
public enum GuardrailVerdict
{
    /// <summary>Nothing found; the run goes on.</summary>
    Pass,

    /// <summary>The run stops with <see cref="RunStatus.GuardrailTripped"/>.</summary>
    Trip,

    /// <summary>The run goes on with the guardrail's text in place of the checked text.</summary>
    Redact,
}
