using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.OpenAI;

/// <summary>A <c>POST /v1/chat/completions</c> body as the Router takes it: messages, options and how to answer.</summary>
internal sealed class ChatCompletionRequest
{
    /// <summary>Gets the model exactly as the caller named it; the response echoes it.</summary>
    public required string Model { get; init; }

    public required List<ChatMessage> Messages { get; init; }

    /// <summary>Gets the options; <see cref="ChatOptions.ModelId"/> is <see cref="Model"/>.</summary>
    public required ChatOptions Options { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }
}
