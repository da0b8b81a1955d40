namespace Allos.Testing;

/// <summary>The wire format of an endpoint of the fake server.</summary>
public enum FakeWireFormat
{
    /// <summary>OpenAI Chat Completions: <c>POST …/chat/completions</c> (any prefix, so every OpenAI-compatible base URL works).</summary>
    OpenAI,

    /// <summary>Anthropic Messages: <c>POST /v1/messages</c>.</summary>
    Anthropic,

    /// <summary>Gemini: <c>POST /v1beta/models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>.</summary>
    Gemini,

    /// <summary>Ollama: <c>POST /api/chat</c>.</summary>
    Ollama,

    /// <summary>Cohere v2 Chat: <c>POST /v2/chat</c>.</summary>
    Cohere,

    /// <summary>Amazon Bedrock Converse: <c>POST /model/{modelId}/converse</c> and <c>/converse-stream</c> (AWS event-stream framing).</summary>
    Bedrock,
}
