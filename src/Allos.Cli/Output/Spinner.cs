namespace Allos.Cli.Output;

/// <summary>A one-line "working…" indicator on standard error, shown only on a terminal, while nothing else is printing.</summary>
/// <remarks>
/// Lines written from elsewhere while it spins (the <c>-v</c> request log, from the HTTP thread) go through
/// <see cref="WriteLine"/>, which clears the spinner's line first and draws it again below, so no line lands on it.
/// </remarks>
internal sealed class Spinner : IDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    // One screen: the spinner on it and the lines written around it take turns under one lock.
    private static readonly Lock s_screen = new();
    private static Spinner? s_shown;

    private readonly TextWriter _error;
    private readonly bool _enabled;
    private Timer? _timer;
    private long _started;
    private int _frame;
    private string _label = "";

    public Spinner(TextWriter error, bool enabled)
    {
        _error = error;
        _enabled = enabled;
    }

    /// <summary>Writes a whole line to <paramref name="writer"/>, moving a spinner that shows out of its way.</summary>
    public static void WriteLine(TextWriter writer, string line)
    {
        lock (s_screen)
        {
            Spinner? shown = s_shown;
            if (shown is not null)
            {
                shown._error.Write("\r\u001b[K");
                shown._error.Flush();
            }

            writer.WriteLine(line);
            writer.Flush();
            shown?.Draw();
        }
    }

    public void Start(string label)
    {
        if (!_enabled)
        {
            return;
        }

        lock (s_screen)
        {
            _label = label;
            _started = Environment.TickCount64;
            _timer ??= new Timer(_ => Tick(), null, 0, 100);
        }
    }

    /// <summary>Changes what a running spinner says (a tool's progress) without restarting its clock.</summary>
    public void Relabel(string label)
    {
        if (!_enabled)
        {
            return;
        }

        lock (s_screen)
        {
            if (_timer is not null)
            {
                _label = label;
            }
        }
    }

    public void Stop()
    {
        if (!_enabled)
        {
            return;
        }

        lock (s_screen)
        {
            if (_timer is null)
            {
                return;
            }

            _timer.Dispose();
            _timer = null;
            if (s_shown == this)
            {
                s_shown = null;
            }

            _error.Write("\r\u001b[K");
            _error.Flush();
        }
    }

    public void Dispose() => Stop();

    private void Tick()
    {
        lock (s_screen)
        {
            if (_timer is null)
            {
                return;
            }

            _frame++;
            s_shown = this;
            Draw();
        }
    }

    private void Draw()
    {
        double seconds = (Environment.TickCount64 - _started) / 1000.0;
        _error.Write($"\r\u001b[K\u001b[2m{Frames[_frame % Frames.Length]} {_label} {seconds:0}s\u001b[0m");
        _error.Flush();
    }
}
