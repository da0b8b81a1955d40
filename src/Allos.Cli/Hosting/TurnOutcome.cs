using Allos.Agents;

namespace Allos.Cli.Hosting;

/// <summary>How a turn ended: the JSON status, the exit code it implies, the run's result and error.</summary>
internal sealed record TurnOutcome(string Status, int ExitCode, RunResult? Result, Exception? Error);
