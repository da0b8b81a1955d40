namespace Allos.Testing;

/// <summary>How a scripted turn says it ended; rendered as each provider's own value.</summary>
public enum FakeFinishReason
{
    /// <summary>Infer: <see cref="ToolCalls"/> when the turn has tool calls, else <see cref="Stop"/>.</summary>
    Auto,

    /// <summary>A natural end (<c>stop</c>, <c>end_turn</c>, <c>STOP</c>).</summary>
    Stop,

    /// <summary>The output limit was reached (<c>length</c>, <c>max_tokens</c>, <c>MAX_TOKENS</c>).</summary>
    Length,

    /// <summary>The model asked for tools (<c>tool_calls</c>, <c>tool_use</c>).</summary>
    ToolCalls,

    /// <summary>The output was filtered (<c>content_filter</c>, <c>refusal</c>, <c>SAFETY</c>).</summary>
    ContentFilter,
}
