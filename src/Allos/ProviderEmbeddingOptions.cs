using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Allos;

/// <summary>Provider-specific settings for Allos's embedding generators, carried in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>.</summary>
public static class ProviderEmbeddingOptions
{
    /// <summary>
    /// The key of a Gemini task type (a <see cref="string"/> such as <c>RETRIEVAL_DOCUMENT</c>, <c>RETRIEVAL_QUERY</c> or
    /// <c>SEMANTIC_SIMILARITY</c>), sent as each request's <c>taskType</c>. Other providers ignore it.
    /// </summary>
    public const string TaskTypeKey = "gemini.task_type";

    /// <summary>
    /// The key of Ollama's <c>truncate</c> (a <see cref="bool"/>): <see langword="false"/> makes an input longer than the
    /// model's context an error instead of being cut. Other providers ignore it.
    /// </summary>
    public const string TruncateKey = "ollama.truncate";

    internal static T? Read<T>(EmbeddingGenerationOptions? options, string key)
    {
        if (options?.AdditionalProperties is not { Count: > 0 } properties || !properties.TryGetValue(key, out object? value) || value is null)
        {
            return default;
        }

        // Values read from JSON or YAML arrive as JsonElement or string rather than the CLR type.
        object? converted = value switch
        {
            T typed => typed,
            JsonElement { ValueKind: JsonValueKind.String } text => text.GetString(),
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.False } => false,
            string text when typeof(T) == typeof(bool?) && bool.TryParse(text, out bool flag) => flag,
            _ => value,
        };
        return converted is T result ? result
            : throw new ArgumentException($"EmbeddingGenerationOptions.AdditionalProperties[\"{key}\"] must be a {Nullable.GetUnderlyingType(typeof(T))?.Name ?? typeof(T).Name}; it is a {value.GetType().Name}.", nameof(options));
    }
}
