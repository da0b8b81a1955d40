using Microsoft.Extensions.AI;

namespace Allos.Gateway;

/// <summary>A <see cref="Router"/>'s embeddings path bound to one alias: what <see cref="Router.EmbeddingsFor"/> returns.</summary>
internal sealed class RouterEmbeddingGenerator(Router router, string alias, EmbeddingGeneratorMetadata metadata) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
        router.GenerateEmbeddingsAsync(options?.ModelId ?? alias, values, options, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? metadata
            : serviceType.IsInstanceOfType(this) ? this
            : router.GetService(serviceType, serviceKey);
    }

    // The Router is shared; the alias generator owns nothing.
    public void Dispose()
    {
    }
}
