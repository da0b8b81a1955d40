using Microsoft.Extensions.AI;

namespace Allos.Providers.Anthropic;

/// <summary>Placeholder until the Anthropic codec lands.</summary>
internal sealed class AnthropicChatClient(ProviderSettings settings) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new FeatureNotSupportedException(settings.Provider, "chat (codec not written yet)");

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new FeatureNotSupportedException(settings.Provider, "chat (codec not written yet)");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
