namespace Allos.Providers;

/// <summary>A provider Allos knows out of the box: its protocol, default endpoint and the variables it reads.</summary>
/// <param name="Name">The provider name used in model ids.</param>
/// <param name="Format">The wire protocol.</param>
/// <param name="DefaultEndpoint">The public endpoint, or <see langword="null"/> when the user must supply one.</param>
/// <param name="ApiKeyVariables">Variables read for the key, first found wins.</param>
/// <param name="EndpointVariable">The variable that overrides the endpoint.</param>
/// <param name="RequiresApiKey">Whether a call without a key is refused up front.</param>
internal sealed record BuiltInProvider(
    string Name,
    WireFormat Format,
    string? DefaultEndpoint,
    string[] ApiKeyVariables,
    string EndpointVariable,
    bool RequiresApiKey)
{
    public static readonly BuiltInProvider[] All =
    [
        new("openai", WireFormat.OpenAIChat, "https://api.openai.com/v1", ["OPENAI_API_KEY"], "OPENAI_BASE_URL", true),
        new("azure", WireFormat.OpenAIChat, null, ["AZURE_OPENAI_API_KEY"], "AZURE_OPENAI_ENDPOINT", true),
        new("groq", WireFormat.OpenAIChat, "https://api.groq.com/openai/v1", ["GROQ_API_KEY"], "GROQ_BASE_URL", true),
        new("mistral", WireFormat.OpenAIChat, "https://api.mistral.ai/v1", ["MISTRAL_API_KEY"], "MISTRAL_BASE_URL", true),
        new("deepseek", WireFormat.OpenAIChat, "https://api.deepseek.com/v1", ["DEEPSEEK_API_KEY"], "DEEPSEEK_BASE_URL", true),
        new("openrouter", WireFormat.OpenAIChat, "https://openrouter.ai/api/v1", ["OPENROUTER_API_KEY"], "OPENROUTER_BASE_URL", true),
        new("together", WireFormat.OpenAIChat, "https://api.together.xyz/v1", ["TOGETHER_API_KEY"], "TOGETHER_BASE_URL", true),
        new("xai", WireFormat.OpenAIChat, "https://api.x.ai/v1", ["XAI_API_KEY"], "XAI_BASE_URL", true),
        new("fireworks", WireFormat.OpenAIChat, "https://api.fireworks.ai/inference/v1", ["FIREWORKS_API_KEY"], "FIREWORKS_BASE_URL", true),
        new("lmstudio", WireFormat.OpenAIChat, "http://localhost:1234/v1", ["LMSTUDIO_API_KEY"], "LMSTUDIO_BASE_URL", false),
        new("vllm", WireFormat.OpenAIChat, "http://localhost:8000/v1", ["VLLM_API_KEY"], "VLLM_BASE_URL", false),
        new("openai-compatible", WireFormat.OpenAIChat, null, ["OPENAI_COMPATIBLE_API_KEY"], "OPENAI_COMPATIBLE_BASE_URL", false),
        new("anthropic", WireFormat.Anthropic, "https://api.anthropic.com", ["ANTHROPIC_API_KEY"], "ANTHROPIC_BASE_URL", true),
        new("gemini", WireFormat.Gemini, "https://generativelanguage.googleapis.com", ["GEMINI_API_KEY", "GOOGLE_API_KEY"], "GEMINI_BASE_URL", true),
        new("cohere", WireFormat.Cohere, "https://api.cohere.com", ["COHERE_API_KEY"], "COHERE_BASE_URL", true),

        // The endpoint follows VERTEX_LOCATION (https://{location}-aiplatform.googleapis.com); the key is a ready access token.
        new("vertex", WireFormat.Vertex, "https://us-central1-aiplatform.googleapis.com", ["VERTEX_ACCESS_TOKEN"], "VERTEX_BASE_URL", false),
        // The endpoint follows the region (https://bedrock-runtime.{region}.amazonaws.com) and the credentials are AWS's own
        // chain, resolved by BedrockSetup; the variables here are the secret ones, what Describe and the gateway's credential check see.
        new("bedrock", WireFormat.Bedrock, null, ["AWS_BEARER_TOKEN_BEDROCK", "AWS_SECRET_ACCESS_KEY"], "BEDROCK_BASE_URL", false),
        new("ollama", WireFormat.Ollama, "http://localhost:11434", ["OLLAMA_API_KEY"], "OLLAMA_HOST", false),
    ];
}
