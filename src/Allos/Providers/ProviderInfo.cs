namespace Allos.Providers;

/// <summary>What a provider needs and where it reads it from: for listings such as <c>allos providers</c>.</summary>
/// <param name="Name">The provider name used in model ids.</param>
/// <param name="Protocol">The wire format: <c>openai-chat</c>, <c>anthropic-messages</c>, <c>gemini</c>, <c>ollama</c>, or <c>custom</c> for a registered factory.</param>
/// <param name="ApiKeyVariables">The environment variables read for the key, in order.</param>
/// <param name="EndpointVariable">The environment variable read for the base URL, if any.</param>
/// <param name="DefaultEndpoint">The base URL used when the variable is unset, if any.</param>
/// <param name="RequiresApiKey">Whether calls fail without a key.</param>
public sealed record ProviderInfo(string Name, string Protocol, IReadOnlyList<string> ApiKeyVariables, string? EndpointVariable, string? DefaultEndpoint, bool RequiresApiKey);
