namespace Allos.Cli.Chat;

/// <summary>What reading the prompt gave: a line, the end of input (Ctrl+D, a closed pipe) or an interrupt (a second Ctrl+C).</summary>
internal readonly record struct InputLine(InputKind Kind, string Text)
{
    public static InputLine EndOfInput { get; } = new(InputKind.EndOfInput, "");

    public static InputLine Interrupted { get; } = new(InputKind.Interrupted, "");

    public static InputLine Of(string text) => new(InputKind.Line, text);
}
