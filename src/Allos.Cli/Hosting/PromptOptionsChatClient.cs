using Microsoft.Extensions.AI;

namespace Allos.Cli.Hosting;

/// <summary>
/// For <c>run --prompt</c>: gives every request of the run the options the prompt's front matter sets (top_p, stop, seed,
/// response_format, …) where the agent set none, and the prompt's name and version tags, so the call is recorded against them.
/// </summary>
/// <remarks>The entry agent's temperature and output limit are set from the prompt on the agent itself, so they win over its own.</remarks>
internal sealed class PromptOptionsChatClient(IChatClient inner, ChatOptions prompt) : DelegatingChatClient(inner)
{
    public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, Merge(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, Merge(options), cancellationToken);

    private ChatOptions Merge(ChatOptions? options)
    {
        ChatOptions merged = options?.Clone() ?? new ChatOptions();
        merged.Temperature ??= prompt.Temperature;
        merged.MaxOutputTokens ??= prompt.MaxOutputTokens;
        merged.TopP ??= prompt.TopP;
        merged.TopK ??= prompt.TopK;
        merged.Seed ??= prompt.Seed;
        merged.FrequencyPenalty ??= prompt.FrequencyPenalty;
        merged.PresencePenalty ??= prompt.PresencePenalty;
        merged.StopSequences ??= prompt.StopSequences is null ? null : [.. prompt.StopSequences];
        merged.ResponseFormat ??= prompt.ResponseFormat;
        if (prompt.AdditionalProperties is { Count: > 0 } tags)
        {
            merged.AdditionalProperties ??= [];
            foreach ((string key, object? value) in tags)
            {
                merged.AdditionalProperties.TryAdd(key, value);
            }
        }

        return merged;
    }
}
