namespace Allos.Providers;

/// <summary>The wire protocols Allos speaks.</summary>
internal enum WireFormat
{
    OpenAIChat,
    Anthropic,
    Gemini,
    Ollama,
    Cohere,

    /// <summary>Vertex AI: the Gemini or Anthropic body, by publisher, with a Google access token.</summary>
    Vertex,

    /// <summary>AWS Bedrock's Converse API, SigV4-signed.</summary>
    Bedrock,
}
