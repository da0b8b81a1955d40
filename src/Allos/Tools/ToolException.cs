namespace Allos.Tools;

/// <summary>
/// A tool failure whose message is written for the model (a missing file, an ambiguous edit, a refused command). The
/// executor always passes the message on, while other exceptions' messages stay hidden unless
/// <see cref="ToolExecutionOptions.IncludeExceptionMessages"/> is on.
/// </summary>
public class ToolException : AllosException
{
    /// <summary>Initializes a new instance of the <see cref="ToolException"/> class.</summary>
    public ToolException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
