namespace Allos.Prompts;

/// <summary>
/// A prompt file is malformed (checked when the library loads), or a render was given inputs the template does not
/// accept. The message starts with <c>file:line:</c> when a line is at fault, and names the input when one is.
/// </summary>
public sealed class PromptException : AllosException
{
    /// <summary>Initializes an error about a line of a prompt file.</summary>
    public PromptException(string message, string? file, int? line = null, string? input = null)
        : base(Locate(message, file, line))
    {
        File = file;
        Line = line;
        Input = input;
    }

    /// <summary>Gets the prompt file at fault, when one is.</summary>
    public string? File { get; }

    /// <summary>Gets the 1-based line of <see cref="File"/> at fault, when one is.</summary>
    public int? Line { get; }

    /// <summary>Gets the input at fault (a missing, unknown or mistyped one), when one is.</summary>
    public string? Input { get; }

    private static string Locate(string message, string? file, int? line) =>
        file is null ? message : line is int at ? $"{file}:{at}: {message}" : $"{file}: {message}";
}
