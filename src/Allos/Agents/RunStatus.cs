namespace Allos.Agents;

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>The model gave a final answer.</summary>
    Completed,

    /// <summary>The iteration limit was reached; the work done so far is kept.</summary>
    MaxIterations,

    /// <summary>Tool calls wait for approval; resume with <see cref="AgentRunner.ResumeAsync"/> and the decisions.</summary>
    AwaitingApproval,

    /// <summary>The caller cancelled the run.</summary>
    Cancelled,

    /// <summary>The run failed; <see cref="RunResult.Error"/> says why.</summary>
    Failed,

    /// <summary>A guardrail stopped the run; <see cref="RunResult.Guardrail"/> says which and why.</summary>
    GuardrailTripped,
}
