namespace Allos.Storage;

/// <summary>The kind of a recorded step.</summary>
public enum RunStepKind
{
    /// <summary>A call to the model.</summary>
    ModelCall,

    /// <summary>A tool call.</summary>
    ToolCall,

    /// <summary>The final answer.</summary>
    Respond,

    /// <summary>The conversation passed to another agent.</summary>
    Handoff,

    /// <summary>An approval was asked and answered.</summary>
    Approval,
}
