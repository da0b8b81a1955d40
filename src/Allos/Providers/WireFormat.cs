namespace Allos.Providers;

/// <summary>The wire protocols Allos speaks.</summary>
internal enum WireFormat
{
    OpenAIChat,
    Anthropic,
    Gemini,
    Ollama,
    Cohere,
    Bedrock,
}
