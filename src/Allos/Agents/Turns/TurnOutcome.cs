namespace Allos.Agents.Turns;

/// <summary>How a turn ended, when the run cannot go on: cancellation by the caller is not failure.</summary>
internal class TurnOutcome
{
    public RunStatus? Status { get; set; }

    public Exception? Error { get; private set; }

    public void Fail(Exception exception, CancellationToken cancellationToken)
    {
        Status = exception is OperationCanceledException && cancellationToken.IsCancellationRequested ? RunStatus.Cancelled : RunStatus.Failed;
        Error = Status == RunStatus.Failed ? exception : null;
    }
}
