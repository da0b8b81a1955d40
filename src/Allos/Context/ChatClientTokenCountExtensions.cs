using Microsoft.Extensions.AI;

namespace Allos.Context;

/// <summary>Counts a request's input tokens with the best method a chat client offers.</summary>
public static class ChatClientTokenCountExtensions
{
    /// <summary>
    /// Counts the input tokens of <paramref name="messages"/> sent with <paramref name="options"/> through
    /// <paramref name="client"/>: exactly when the client offers an <see cref="IInputTokenCounter"/> (Anthropic, Gemini);
    /// with the tokenizer for OpenAI's models (<see cref="TokenEstimator.ForModel"/>); otherwise with the estimate,
    /// anchored on <paramref name="anchor"/> when given. <see cref="InputTokenCount.Method"/> says which was used.
    /// </summary>
    /// <param name="client">The client the request would go through; its <see cref="ChatClientMetadata"/> names the model when <paramref name="options"/> does not.</param>
    /// <param name="messages">The messages. Not modified.</param>
    /// <param name="options">The request's options (model, instructions, tools).</param>
    /// <param name="anchor">What the provider reported for an earlier call on the same history, for the estimate; <see langword="null"/> to estimate every message.</param>
    /// <param name="cancellationToken">Cancels the count.</param>
    /// <returns>The count and its method. When the exact count call fails, the fallback's count with <see cref="InputTokenCount.ExactCountFailure"/> set.</returns>
    /// <remarks>An exact count is an HTTP call to the provider, billed by none of them but rate limited by some; the others cost no I/O.</remarks>
    public static async Task<InputTokenCount> CountInputTokensAsync(this IChatClient client, IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        UsageAnchor? anchor = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(messages);
        IReadOnlyList<ChatMessage> list = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        AllosException? failure = null;
        if (client.GetService<IInputTokenCounter>() is { } counter)
        {
            try
            {
                long exact = await counter.CountInputTokensAsync(list, options, cancellationToken).ConfigureAwait(false);
                return new InputTokenCount(exact, TokenCountMethod.Exact);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (AllosException ex)
            {
                failure = ex;
            }
        }

        return Offline(client, list, options, anchor) with { ExactCountFailure = failure };
    }

    /// <summary>The tokenizer's count for OpenAI's models, else the anchored estimate; no I/O.</summary>
    internal static InputTokenCount Offline(IChatClient client, IReadOnlyList<ChatMessage> messages, ChatOptions? options, UsageAnchor? anchor)
    {
        TokenEstimator estimator = EstimatorFor(client, options?.ModelId);
        if (estimator.TokenizerEncoding is not null && OpenAIRequestTokens.Count(estimator, messages, options) is long counted)
        {
            return new InputTokenCount(counted, TokenCountMethod.Tokenizer);
        }

        // The provider's report already covers instructions and tools.
        bool anchored = anchor is not null && anchor.MessageCount <= messages.Count;
        long tokens = estimator.EstimateRequest(messages, anchor) + (anchored ? 0 : OptionsTokens(options));
        return new InputTokenCount(tokens, TokenCountMethod.Estimate);
    }

    /// <summary>The estimator of <paramref name="modelId"/>, else of the model the client reports (<see cref="TokenEstimator.ForModel"/>).</summary>
    internal static TokenEstimator EstimatorFor(IChatClient client, string? modelId = null)
    {
        ChatClientMetadata? metadata = client.GetService<ChatClientMetadata>();
        string? model = modelId ?? metadata?.DefaultModelId;
        if (string.IsNullOrWhiteSpace(model))
        {
            return TokenEstimator.ForProvider(metadata?.ProviderName);
        }

        return TokenEstimator.ForModel(metadata?.ProviderName is { Length: > 0 } provider && !model.Contains('/', StringComparison.Ordinal) ? $"{provider}/{model}" : model);
    }

    /// <summary>The estimated tokens of the instructions and tool declarations.</summary>
    internal static long OptionsTokens(ChatOptions? options)
    {
        if (options is null)
        {
            return 0;
        }

        TokenEstimator estimator = TokenEstimator.Default;
        long total = estimator.EstimateText(options.Instructions);
        foreach (AITool tool in options.Tools ?? [])
        {
            total += estimator.EstimateText(tool.Name) + estimator.EstimateText(tool.Description)
                + (tool is AIFunctionDeclaration function ? estimator.EstimateText(function.JsonSchema.GetRawText()) : 0);
        }

        return total;
    }
}
