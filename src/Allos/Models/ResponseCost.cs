using Microsoft.Extensions.AI;

namespace Allos.Models;

/// <summary>
/// What a call cost, as a pipeline layer that knows the price (the Router, the call-recording layer) reports it on the
/// response: a <see cref="decimal"/> in US dollars under <see cref="Key"/> in <see cref="ChatResponse.AdditionalProperties"/>
/// (or <see cref="GeneratedEmbeddings{TEmbedding}.AdditionalProperties"/>)
/// (0 for a cache hit; absent when the price is unknown). For a stream it arrives on a last, content-free update.
/// </summary>
/// <remarks>Readers (agents, the CLI) use it without knowing which layer wrote it.</remarks>
public static class ResponseCost
{
    /// <summary>The <see cref="AdditionalPropertiesDictionary"/> key of the cost.</summary>
    public const string Key = "allos.cost";

    /// <summary>Returns the cost a layer reported on <paramref name="response"/>, or <see langword="null"/>.</summary>
    public static decimal? Get(ChatResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.AdditionalProperties?.TryGetValue(Key, out object? value) == true && value is decimal cost ? cost : null;
    }

    /// <summary>Returns the cost a layer reported on a streamed <paramref name="update"/>, or <see langword="null"/>.</summary>
    public static decimal? Get(ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return update.AdditionalProperties?.TryGetValue(Key, out object? value) == true && value is decimal cost ? cost : null;
    }

    /// <summary>Records <paramref name="cost"/> on <paramref name="response"/>.</summary>
    public static void Set(ChatResponse response, decimal cost)
    {
        ArgumentNullException.ThrowIfNull(response);
        (response.AdditionalProperties ??= [])[Key] = cost;
    }

    /// <summary>Returns the cost a layer (the Router's embeddings path) reported on <paramref name="embeddings"/>, or <see langword="null"/>.</summary>
    public static decimal? Get<TEmbedding>(GeneratedEmbeddings<TEmbedding> embeddings)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        return embeddings.AdditionalProperties?.TryGetValue(Key, out object? value) == true && value is decimal cost ? cost : null;
    }

    /// <summary>Records <paramref name="cost"/> on <paramref name="embeddings"/>.</summary>
    public static void Set<TEmbedding>(GeneratedEmbeddings<TEmbedding> embeddings, decimal cost)
        where TEmbedding : Embedding
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        (embeddings.AdditionalProperties ??= [])[Key] = cost;
    }

    /// <summary>Returns a content-free update that carries <paramref name="cost"/>, the last of a stream.</summary>
    public static ChatResponseUpdate CreateUpdate(decimal cost) => new() { AdditionalProperties = new() { [Key] = cost } };
}
