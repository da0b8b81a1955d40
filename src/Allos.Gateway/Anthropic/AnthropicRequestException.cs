namespace Allos.Gateway.Server.Anthropic;

/// <summary>A Messages request the gateway cannot read: the message names the field (<c>messages.0.content.1.type: …</c>), as Anthropic's own 400s do.</summary>
internal sealed class AnthropicRequestException(string message) : Exception(message);
