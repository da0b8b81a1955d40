namespace Allos.Gateway;

/// <summary>A cancellation token that fires when the caller cancels or when a timeout on the injected clock runs out.</summary>
/// <remarks>
/// The timer runs on the injected <see cref="TimeProvider"/>, so a fake clock drives timeouts in tests as it drives
/// everything else. One source with a timer, linked to the caller's token by a registration (none when the caller's
/// token cannot be cancelled), rather than a timer source plus a linked source: it is made on every call of the hot path.
/// </remarks>
internal sealed class TimeoutScope : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenRegistration _link;

    public TimeoutScope(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        _caller = cancellationToken;
        _source = new CancellationTokenSource(timeout, time);
        _link = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), _source)
            : default;
    }

    public CancellationToken Token => _source.Token;

    /// <summary>Gets whether the timeout, not the caller, ended the wait.</summary>
    public bool TimedOut => _source.IsCancellationRequested && !_caller.IsCancellationRequested;

    public void Dispose()
    {
        // The link first: once it is gone, the caller cancelling can no longer touch the disposed source.
        _link.Dispose();
        _source.Dispose();
    }
}
