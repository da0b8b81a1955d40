namespace Allos.Telemetry;

/// <summary>Maps Allos provider names to the <c>gen_ai.provider.name</c> values of the OpenTelemetry GenAI semantic conventions.</summary>
/// <remarks>
/// Only the telemetry attribute is mapped: model ids, errors and stored stats keep Allos's names. Providers the conventions
/// do not list (ollama, openrouter, together, fireworks, lmstudio, vllm, custom ones) keep their Allos name, as the
/// conventions ask.
/// </remarks>
internal static class GenAIProviderNames
{
    /// <summary>Returns the well-known value for <paramref name="provider"/>, or <paramref name="provider"/> itself.</summary>
    public static string ToSemanticName(string provider) => provider switch
    {
        // Allos's "gemini" is the Gemini API (generativelanguage.googleapis.com), not Vertex AI.
        "gemini" => "gcp.gemini",
        "azure" => "azure.ai.openai",
        "mistral" => "mistral_ai",
        "xai" => "x_ai",

        // openai, anthropic, deepseek, groq, perplexity and cohere are already the conventions' names.
        _ => provider,
    };
}
