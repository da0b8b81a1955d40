namespace Allos.Gateway;

/// <summary>A cancellation token that fires when the caller cancels or when a timeout on the Router's clock runs out.</summary>
/// <remarks>The timer runs on the injected <see cref="TimeProvider"/>, so a fake clock drives timeouts in tests as it drives everything else.</remarks>
internal sealed class TimeoutScope : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public TimeoutScope(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        _timer = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>Gets whether the timeout, not the caller, ended the wait.</summary>
    public bool TimedOut => _timer.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
