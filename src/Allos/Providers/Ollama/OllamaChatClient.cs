using Microsoft.Extensions.AI;

namespace Allos.Providers.Ollama;

/// <summary>Placeholder until the Ollama codec lands.</summary>
internal sealed class OllamaChatClient(ProviderSettings settings) : IChatClient
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
