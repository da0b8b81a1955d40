using System.Text;

namespace Allos.Cli.Output;

/// <summary>
/// A writer for log lines on standard error (<c>-v</c>) that never lands on the spinner's line: each whole line goes
/// through <see cref="Spinner.WriteLine"/>.
/// </summary>
internal sealed class LogLineWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        lock (_line)
        {
            if (value == '\n')
            {
                string line = _line.ToString().TrimEnd('\r');
                _line.Clear();
                Spinner.WriteLine(inner, line);
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (char c in value ?? "")
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value) => Write((value ?? "") + "\n");

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }
}
