using Allos.Providers;
using Microsoft.Extensions.AI;

namespace Allos;

/// <summary>The front door for embeddings: one <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> for any embedding model, by id.</summary>
/// <example>
/// <code>
/// using IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt; embedder = EmbeddingGenerators.Create("openai/text-embedding-3-small");
/// GeneratedEmbeddings&lt;Embedding&lt;float&gt;&gt; vectors = await embedder.GenerateAsync(["first text", "second text"]);
/// </code>
/// </example>
public static class EmbeddingGenerators
{
    /// <summary>Creates a generator for <paramref name="modelId"/>, configured from <paramref name="options"/> and the environment, as <see cref="ChatClients.Create"/> does.</summary>
    /// <param name="modelId"><c>provider/model</c>: <c>openai/text-embedding-3-small</c>, <c>gemini/gemini-embedding-001</c>, <c>ollama/nomic-embed-text</c>, or any OpenAI-compatible provider's model.</param>
    /// <param name="options">Explicit settings (key, endpoint, timeout, headers); unset values come from the provider's environment variables.</param>
    /// <remarks>
    /// <see cref="EmbeddingGenerationOptions.Dimensions"/> and <see cref="EmbeddingGenerationOptions.ModelId"/> are sent to every
    /// provider; see <see cref="ProviderEmbeddingOptions"/> for provider-specific ones. Inputs beyond a provider's
    /// per-request limit (OpenAI 2,048, Gemini 100, Ollama 512) are sent as several requests, at most 4 at a time, and
    /// reassembled in order with their usage summed. Failures are the same <see cref="ProviderException"/> types chat raises.
    /// The generator is thread-safe.
    /// </remarks>
    /// <exception cref="ConfigurationException">The provider is unknown or has no embeddings API, or a required key or endpoint is missing.</exception>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(string modelId, ChatClientOptions? options = null) =>
        ProviderRegistry.Default.CreateEmbeddingGenerator(modelId, options);
}
