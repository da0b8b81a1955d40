using Spectre.Console;

namespace Allos.Cli;

/// <summary>The process's standard streams and what they are attached to.</summary>
/// <remarks>
/// The answer goes to standard output; progress, tool lines, prompts, footers and errors go to standard error, so
/// <c>allos run "…" &gt; answer.md</c> captures only the answer.
/// </remarks>
internal sealed class CliConsole
{
    public CliConsole()
    {
        Out = Console.Out;
        Error = Console.Error;
        In = Console.In;
        InputIsTerminal = !Console.IsInputRedirected;
        OutputIsTerminal = !Console.IsOutputRedirected;
        ErrorIsTerminal = !Console.IsErrorRedirected;
        bool noColor = Environment.GetEnvironmentVariable("NO_COLOR") is { Length: > 0 } || Environment.GetEnvironmentVariable("TERM") == "dumb";
        Colors = ErrorIsTerminal && !noColor;
        Rich = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = Colors ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = Colors ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = ErrorIsTerminal ? InteractionSupport.Yes : InteractionSupport.No,
        });
        RichOut = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = OutputIsTerminal && !noColor ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = OutputIsTerminal && !noColor ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });

        // Redirected output is read by programs and people with wide windows: do not wrap tables at 80 columns.
        if (!OutputIsTerminal)
        {
            RichOut.Profile.Width = 240;
        }
    }

    public TextWriter Out { get; }

    public TextWriter Error { get; }

    public TextReader In { get; }

    public bool InputIsTerminal { get; }

    public bool OutputIsTerminal { get; }

    public bool ErrorIsTerminal { get; }

    /// <summary>Gets whether colours and spinners may be used on standard error.</summary>
    public bool Colors { get; }

    /// <summary>Gets a Spectre console over standard error (colours only when it is a terminal).</summary>
    public IAnsiConsole Rich { get; }

    /// <summary>Gets a Spectre console over standard output, for tables and charts (plain when redirected).</summary>
    public IAnsiConsole RichOut { get; }
}
