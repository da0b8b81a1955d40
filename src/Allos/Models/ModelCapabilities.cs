namespace Allos.Models;

/// <summary>What a model can do through Allos.</summary>
/// <param name="Tools">Whether the model can call tools (functions).</param>
/// <param name="Vision">Whether the model accepts images as input.</param>
/// <param name="Reasoning">Whether the model thinks before it answers (reasoning or thinking tokens).</param>
/// <param name="JsonSchema">
/// Whether a response can be constrained to a JSON schema (<c>ChatResponseFormat.ForJsonSchema</c>), natively or, for
/// Anthropic, through the forced tool the Allos codec uses.
/// </param>
public sealed record ModelCapabilities(bool Tools = false, bool Vision = false, bool Reasoning = false, bool JsonSchema = false)
{
    /// <summary>Gets capabilities that promise nothing: what an unknown model is assumed to have.</summary>
    public static ModelCapabilities None { get; } = new();
}
