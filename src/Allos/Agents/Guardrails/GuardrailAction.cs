namespace Allos.Agents.Guardrails;

/// <summary>What a built-in guardrail does when it finds what it looks for.</summary>
public enum GuardrailAction
{
    /// <summary>Stop the run with <see cref="RunStatus.GuardrailTripped"/>.</summary>
    Stop,

    /// <summary>Replace what was found with a marker and go on.</summary>
    Redact,
}
