namespace Allos.Cli.Commands;

/// <summary>Ctrl+C cancels the work in progress (the turn), not the program; a second Ctrl+C within the same turn ends the program.</summary>
internal sealed class Interrupts : IDisposable
{
    private readonly Lock _gate = new();
    private CancellationTokenSource _current = new();

    public Interrupts() => Console.CancelKeyPress += OnCancel;

    /// <summary>Gets the token of the current turn.</summary>
    public CancellationToken Token
    {
        get
        {
            lock (_gate)
            {
                return _current.Token;
            }
        }
    }

    /// <summary>Starts a new turn with a fresh token (after the previous one was cancelled).</summary>
    public CancellationToken NextTurn()
    {
        lock (_gate)
        {
            if (_current.IsCancellationRequested)
            {
                _current.Dispose();
                _current = new CancellationTokenSource();
            }

            return _current.Token;
        }
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _current.Dispose();
    }

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        lock (_gate)
        {
            if (_current.IsCancellationRequested)
            {
                // Second press: let the runtime end the process (exit code 130).
                return;
            }

            e.Cancel = true;
            _current.Cancel();
        }
    }
}
