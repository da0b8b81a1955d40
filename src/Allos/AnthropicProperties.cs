using Microsoft.Extensions.AI;

namespace Allos;

/// <summary>
/// <see cref="AdditionalPropertiesDictionary"/> keys that the Anthropic provider client reads or sets: prompt caching,
/// an exact thinking budget, beta flags, and the stop sequence that ended an answer. Other providers ignore them.
/// </summary>
public static class AnthropicProperties
{
    /// <summary>
    /// The key, on an <see cref="AIContent"/> (text, image, document, tool call or tool result), a system message's
    /// <see cref="TextContent"/> or an <see cref="AITool"/>, holding the block's <c>cache_control</c>: a
    /// <see cref="System.Text.Json.JsonElement"/> object sent as is (<c>{"type":"ephemeral","ttl":"1h"}</c>), or a string
    /// naming its type (<c>ephemeral</c>).
    /// </summary>
    /// <remarks>A system message with a cache breakpoint makes the client send <c>system</c> as text blocks, one per text content, instead of one string.</remarks>
    public const string CacheControlKey = "anthropic.cache_control";

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key holding an <see cref="int"/>: the exact <c>thinking.budget_tokens</c>
    /// to send while <see cref="ChatOptions.Reasoning"/> is on, instead of the budget its effort maps to. Never sent as a field.
    /// </summary>
    public const string ThinkingBudgetKey = "allos.anthropic.thinking_budget";

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key holding a string sent as the request's <c>anthropic-beta</c>
    /// header (comma-separated flags, <c>interleaved-thinking-2025-05-14</c>): how the gateway passes a caller's betas on.
    /// A configured <c>anthropic-beta</c> header (<c>ChatClientOptions.Headers</c>) wins over it.
    /// </summary>
    public const string BetaKey = "allos.anthropic.beta";

    /// <summary>
    /// The key, on a response's or final update's <see cref="ChatResponse.AdditionalProperties"/>, of the stop sequence
    /// (a string) that ended the answer, when <c>stop_reason</c> was <c>stop_sequence</c>.
    /// </summary>
    public const string StopSequenceKey = "anthropic.stop_sequence";
}
