using Allos.Providers;
using Microsoft.Extensions.AI;

namespace Allos;

/// <summary>The front door: one <see cref="IChatClient"/> for any model, by id.</summary>
/// <example>
/// <code>
/// IChatClient chat = ChatClients.Create("anthropic/claude-sonnet-4-5");
/// ChatResponse reply = await chat.GetResponseAsync("Hello");
/// </code>
/// </example>
public static class ChatClients
{
    /// <summary>Creates a client for <paramref name="modelId"/>, configured from <paramref name="options"/> and the environment.</summary>
    /// <param name="modelId">
    /// <c>provider/model</c> (<c>openai/gpt-4o-mini</c>, <c>ollama/llama3.1</c>), or a bare name resolved by its prefix
    /// (<c>gpt-</c>, <c>o1</c>/<c>o3</c>/<c>o4</c> → openai, <c>claude</c> → anthropic, <c>gemini</c> → gemini) or by <c>AI_PROVIDER</c>.
    /// </param>
    /// <param name="options">Explicit settings; unset values come from the provider's environment variables.</param>
    /// <exception cref="ConfigurationException">The provider is unknown or a required key or endpoint is missing; the message names what to set.</exception>
    public static IChatClient Create(string modelId, ChatClientOptions? options = null) =>
        ProviderRegistry.Default.Create(modelId, options);
}
