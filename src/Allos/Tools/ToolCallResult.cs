using Microsoft.Extensions.AI;

namespace Allos.Tools;

/// <summary>The result of one tool call: what goes back to the model, and how the call ended.</summary>
/// <param name="Content">The result for the model, paired with the call by its id.</param>
/// <param name="Outcome">How the call ended.</param>
/// <param name="Duration">How long the call ran.</param>
internal sealed record ToolCallResult(FunctionResultContent Content, ToolCallOutcome Outcome, TimeSpan Duration)
{
    /// <summary>Gets the text the model receives; images in the result are described by a line.</summary>
    public string Text => Content.Result as string ?? (ToolResultMedia.Parts(Content.Result) is { } parts ? ToolResultMedia.Text(parts) : "");
}
