namespace Allos.Storage;

/// <summary>What <see cref="ITelemetryStore.CleanupAsync"/> deleted.</summary>
/// <param name="Sessions">Sessions deleted (with their messages and runs).</param>
/// <param name="ModelCalls">Model-call rows deleted.</param>
/// <param name="ToolExecutions">Tool-execution rows deleted.</param>
/// <param name="RunSteps">Run-step rows deleted.</param>
public sealed record CleanupResult(int Sessions, int ModelCalls, int ToolExecutions, int RunSteps);
