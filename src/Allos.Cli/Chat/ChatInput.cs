namespace Allos.Cli.Chat;

/// <summary>
/// Reads the chat's messages: on a terminal through the <see cref="LineEditor"/> (a prompt, editing keys, history);
/// from a pipe line by line, each echoed after a plain prompt on standard error so a transcript reads like the session.
/// In both, a line ending with <c>\</c> goes on with the next line, in the same message.
/// </summary>
internal sealed class ChatInput(CliConsole console, bool quiet)
{
    private const string Prompt = "› ";
    private readonly LineEditor? _editor = console.InputIsTerminal ? new LineEditor(console.Error, SlashCommands.Names, bracketedPaste: console.ErrorIsTerminal) : null;

    public InputLine Read()
    {
        if (_editor is not null)
        {
            string prompt = console.Colors ? $"\u001b[1;36m{Prompt.TrimEnd()}\u001b[0m " : Prompt;
            return _editor.ReadLine(prompt, Prompt.Length);
        }

        string? line = console.In.ReadLine();
        if (line is null)
        {
            return InputLine.EndOfInput;
        }

        while (line.EndsWith('\\') && console.In.ReadLine() is { } next)
        {
            line = line[..^1] + "\n" + next;
        }

        if (!quiet && line.Trim().Length > 0)
        {
            console.Error.WriteLine(Prompt + line);
        }

        return InputLine.Of(line);
    }
}
