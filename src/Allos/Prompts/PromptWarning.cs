namespace Allos.Prompts;

/// <summary>Something in a prompt file that works but is probably a mistake, such as a required input the template never uses.</summary>
/// <param name="File">The prompt file.</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="Message">What is wrong and what to do.</param>
public sealed record PromptWarning(string File, int Line, string Message)
{
    /// <summary>Returns <c>file:line: warning: message</c>.</summary>
    public override string ToString() => $"{File}:{Line}: warning: {Message}";
}
