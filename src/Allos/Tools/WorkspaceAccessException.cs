namespace Allos.Tools;

/// <summary>A tool was asked for a path outside its workspace. The model receives the message as an error result.</summary>
public sealed class WorkspaceAccessException : ToolException
{
    /// <summary>Initializes a new instance of the <see cref="WorkspaceAccessException"/> class.</summary>
    public WorkspaceAccessException(string path, string reason)
        : base($"Access to '{path}' is refused: {reason}.")
    {
        RequestedPath = path;
    }

    /// <summary>Gets the path as the model gave it.</summary>
    public string RequestedPath { get; }
}
