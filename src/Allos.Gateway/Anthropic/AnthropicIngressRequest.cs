using Microsoft.Extensions.AI;

namespace Allos.Gateway.Server.Anthropic;

/// <summary>A Messages API request read into the library's terms: the model the caller named, its history and its options.</summary>
/// <remarks>Content may hold <see cref="System.Text.Json.JsonElement"/>s of the request's document, which must outlive the call.</remarks>
internal sealed record AnthropicIngressRequest(string Model, List<ChatMessage> Messages, ChatOptions Options, bool Stream);
