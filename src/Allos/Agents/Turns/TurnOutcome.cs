using Allos.Agents.Guardrails;

namespace Allos.Agents.Turns;

/// <summary>How a turn ended, when the run cannot go on: cancellation by the caller is not failure.</summary>
internal class TurnOutcome
{
    public RunStatus? Status { get; set; }

    public Exception? Error { get; private set; }

    public GuardrailTrip? Guardrail { get; private set; }

    /// <summary>Stops the turn: the guardrail tripped, or, with none, the caller cancelled while guardrails ran.</summary>
    public void Stop(GuardrailTrip? trip)
    {
        Status = trip is null ? RunStatus.Cancelled : RunStatus.GuardrailTripped;
        Guardrail = trip;
        Error = null;
    }

    public void Fail(Exception exception, CancellationToken cancellationToken)
    {
        Status = exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? RunStatus.Cancelled : RunStatus.Failed;
        Error = Status == RunStatus.Failed ? exception : null;
    }
}
