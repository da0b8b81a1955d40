namespace Allos.Providers;

/// <summary>The four wire protocols Allos speaks.</summary>
internal enum WireFormat
{
    OpenAIChat,
    Anthropic,
    Gemini,
    Ollama,
}
