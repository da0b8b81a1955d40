using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>
/// Counts the input tokens of a request exactly, with the provider's own counting endpoint (Anthropic's
/// <c>/v1/messages/count_tokens</c>, Gemini's <c>countTokens</c>). A chat client that offers it returns it from
/// <c>GetService(typeof(IInputTokenCounter))</c>, so it is found through middleware that passes services on.
/// </summary>
/// <remarks>
/// Each count is an HTTP call to the provider: use <see cref="ChatClientTokenCountExtensions.CountInputTokensAsync"/>,
/// which falls back to a tokenizer or the estimate, and ask for an exact count only where it matters.
/// </remarks>
public interface IInputTokenCounter
{
    /// <summary>Counts the input tokens that sending <paramref name="messages"/> with <paramref name="options"/> would cost: messages, instructions and tool declarations.</summary>
    /// <param name="messages">The messages, as they would be sent. Not modified.</param>
    /// <param name="options">The request's options (model, instructions, tools); <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The provider's count of input tokens.</returns>
    /// <exception cref="AllosException">The provider refused or failed the count.</exception>
    Task<long> CountInputTokensAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default);
}
