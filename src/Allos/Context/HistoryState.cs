using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>What a policy remembers about one history list between calls: its index, its last answer, and per-policy progress.</summary>
internal sealed class HistoryState
{
    /// <summary>Gets the gate that serializes calls on this history (a summarizing call is awaited while holding it).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public HistoryIndex Index { get; } = new(TokenEstimator.Default);

    /// <summary>Gets or sets the message count <see cref="LastFit"/> was computed for.</summary>
    public int LastCount { get; set; } = -1;

    public ContextBudget? LastBudget { get; set; }

    public ContextFit? LastFit { get; set; }

    /// <summary>Gets or sets the summary replacing the turns before <see cref="SummaryCoversTurns"/>, or <see langword="null"/>.</summary>
    public ChatMessage? Summary { get; set; }

    public int SummaryCoversTurns { get; set; }

    public long SummaryTokens { get; set; }

    /// <summary>Gets or sets the turn count before which summarizing is not tried again after a failure.</summary>
    public int SummaryRetryAtTurns { get; set; }

    /// <summary>Gets the shortened copies of old tool-result messages, by index (adaptive policy).</summary>
    public Dictionary<int, ChatMessage> Shortened { get; } = [];

    /// <summary>Gets or sets the message index up to which tool results were considered for shortening.</summary>
    public int ShortenedUpTo { get; set; }

    /// <summary>Gets or sets the tokens saved by <see cref="Shortened"/>.</summary>
    public long ShortenedSavings { get; set; }

    /// <summary>Gets or sets a value indicating whether the adaptive policy moved on to summarizing or truncating.</summary>
    public bool Escalated { get; set; }

    /// <summary>Forgets everything that depended on message positions (the index was rebuilt).</summary>
    public void ResetProgress()
    {
        LastCount = -1;
        LastBudget = null;
        LastFit = null;
        Summary = null;
        SummaryCoversTurns = 0;
        SummaryTokens = 0;
        SummaryRetryAtTurns = 0;
        Shortened.Clear();
        ShortenedUpTo = 0;
        ShortenedSavings = 0;
        Escalated = false;
    }
}
