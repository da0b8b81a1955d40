namespace Allos.Providers.Streaming;

/// <summary>How a streamed body is cut into events.</summary>
internal enum StreamFraming
{
    /// <summary>Server-sent events: <c>event:</c>/<c>data:</c> lines, an event per blank line (OpenAI, Anthropic, Gemini).</summary>
    ServerSentEvents,

    /// <summary>One JSON value per line (Ollama).</summary>
    NewlineDelimitedJson,

    /// <summary>AWS's binary event-stream messages, each checksummed (Bedrock's ConverseStream).</summary>
    AwsEventStream,
}
