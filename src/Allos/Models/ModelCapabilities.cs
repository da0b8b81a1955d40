namespace Allos.Models;

/// <summary>What a model can do through Allos.</summary>
/// <param name="Tools">Whether the model can call tools (functions).</param>
/// <param name="Vision">Whether the model accepts images as input.</param>
/// <param name="Reasoning">Whether the model thinks before it answers (reasoning or thinking tokens).</param>
/// <param name="JsonSchema">
/// Whether a response can be constrained to a JSON schema (<c>ChatResponseFormat.ForJsonSchema</c>), natively or, for
/// older Anthropic models, through the forced tool the Allos codec uses (see <see cref="NativeJsonSchema"/>).
/// </param>
public sealed record ModelCapabilities(bool Tools = false, bool Vision = false, bool Reasoning = false, bool JsonSchema = false)
{
    /// <summary>
    /// Gets whether the provider itself constrains the answer to the schema (for Anthropic, the <c>output_config.format</c>
    /// request field), so that JSON schema output combines with tools and extended thinking.
    /// </summary>
    /// <value>The default value is <see cref="JsonSchema"/>.</value>
    /// <remarks>
    /// Only the Anthropic codec reads it: for a model listed in <see cref="ModelCatalog.Default"/> with
    /// <see langword="false"/> (Claude models before Sonnet 4.5, Opus 4.5 and Haiku 4.5) it asks for the schema through a
    /// forced tool call instead; a model the catalog does not list is assumed to have it, as every current Claude model does.
    /// </remarks>
    public bool NativeJsonSchema { get; init; } = JsonSchema;

    /// <summary>Gets whether the model turns text into vectors (an embedding model) rather than chatting.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    /// <remarks>An embedding model's <see cref="ModelInfo.ContextWindow"/> is the most tokens one input may have; its <see cref="ModelInfo.MaxOutputTokens"/> is a placeholder of 1.</remarks>
    public bool Embeddings { get; init; }

    /// <summary>Gets capabilities that promise nothing: what an unknown model is assumed to have.</summary>
    public static ModelCapabilities None { get; } = new();
}
