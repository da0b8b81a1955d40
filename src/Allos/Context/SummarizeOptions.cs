namespace Allos.Context;

/// <summary>Options of the summarizing call made by <see cref="ContextPolicy.Summarize"/> and <see cref="ContextPolicy.Adaptive"/>.</summary>
public sealed class SummarizeOptions
{
    /// <summary>The instructions given to the summarizing model by default.</summary>
    public const string DefaultInstructions =
        "You compact a conversation between a user and an AI assistant so the assistant can continue it without the full "
        + "history. Write a concise summary that keeps: the user's goals and constraints, decisions made, facts learned "
        + "(names, paths, numbers, identifiers), what tools were called and what they found, and any work still pending. "
        + "Merge in the previous summary when there is one. Reply with the summary only.";

    /// <summary>Gets or sets the model the summarizing call asks for (<see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/>); <see langword="null"/> (the default) uses the summarizing client's own.</summary>
    public string? ModelId { get; set; }

    /// <summary>
    /// Gets or sets the summarizing model's context window, in tokens; <see langword="null"/> (the default) assumes the same
    /// window as the budget being fitted. The slice of history sent to be summarized is bounded to fit it.
    /// </summary>
    public long? ContextWindow { get; set; }

    /// <summary>Gets or sets the longest summary to ask for, in tokens (the call's max output tokens). Default: 1,024.</summary>
    public int MaxSummaryTokens { get; set; } = 1_024;

    /// <summary>
    /// Gets or sets an upper bound on the estimated tokens of history sent to be summarized, to keep the call cheap and
    /// fast; <see langword="null"/> (the default) bounds it only by the summarizing model's window.
    /// </summary>
    public long? MaxInputTokens { get; set; }

    /// <summary>Gets or sets the instructions of the summarizing call. Default: <see cref="DefaultInstructions"/>.</summary>
    public string Instructions { get; set; } = DefaultInstructions;
}
