namespace Allos.Tools;

/// <summary>How a tool call ended.</summary>
public enum ToolCallOutcome
{
    /// <summary>The tool ran and returned a result.</summary>
    Ok,

    /// <summary>The call failed: unknown tool, invalid arguments, an exception, a timeout. The model received the error.</summary>
    Error,

    /// <summary>The call was denied by a permission or by the user. The model was told so.</summary>
    Denied,
}
