namespace Allos.Cli.Output;

/// <summary>A one-line "working…" indicator on standard error, shown only on a terminal, while nothing else is printing.</summary>
internal sealed class Spinner : IDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private readonly TextWriter _error;
    private readonly bool _enabled;
    private readonly Lock _gate = new();
    private Timer? _timer;
    private long _started;
    private int _frame;
    private string _label = "";

    public Spinner(TextWriter error, bool enabled)
    {
        _error = error;
        _enabled = enabled;
    }

    public void Start(string label)
    {
        if (!_enabled)
        {
            return;
        }

        lock (_gate)
        {
            _label = label;
            _started = Environment.TickCount64;
            _timer ??= new Timer(_ => Tick(), null, 0, 100);
        }
    }

    public void Stop()
    {
        if (!_enabled)
        {
            return;
        }

        lock (_gate)
        {
            if (_timer is null)
            {
                return;
            }

            _timer.Dispose();
            _timer = null;
            _error.Write("\r\u001b[K");
            _error.Flush();
        }
    }

    public void Dispose() => Stop();

    private void Tick()
    {
        lock (_gate)
        {
            if (_timer is null)
            {
                return;
            }

            double seconds = (Environment.TickCount64 - _started) / 1000.0;
            _error.Write($"\r\u001b[K\u001b[2m{Frames[_frame++ % Frames.Length]} {_label} {seconds:0}s\u001b[0m");
            _error.Flush();
        }
    }
}
