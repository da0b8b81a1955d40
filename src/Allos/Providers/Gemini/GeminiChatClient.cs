using Microsoft.Extensions.AI;

namespace Allos.Providers.Gemini;

/// <summary>Placeholder until the Gemini codec lands.</summary>
internal sealed class GeminiChatClient(ProviderSettings settings) : IChatClient
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
