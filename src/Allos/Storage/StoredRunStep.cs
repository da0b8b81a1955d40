namespace Allos.Storage;

/// <summary>A run step read back from the store (see <see cref="ITelemetryStore.GetRunStepsAsync"/>).</summary>
/// <param name="RunId">The run the step belongs to.</param>
/// <param name="Step">The step as it was recorded.</param>
public sealed record StoredRunStep(string RunId, RunStep Step);
