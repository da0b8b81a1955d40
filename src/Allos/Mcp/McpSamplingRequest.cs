using Microsoft.Extensions.AI;

namespace Allos.Mcp;

/// <summary>A server's sampling request waiting for approval (<see cref="McpSamplingOptions.Approval"/>).</summary>
/// <param name="Server">The server that asks.</param>
/// <param name="Messages">The messages the model would be sent, without the system prompt.</param>
/// <param name="SystemPrompt">The server's system prompt, if any.</param>
/// <param name="MaxTokens">The most tokens the answer may have.</param>
/// <param name="Model">The model (or alias) that would answer, or <see langword="null"/> for the client's default.</param>
public sealed record McpSamplingRequest(string Server, IReadOnlyList<ChatMessage> Messages, string? SystemPrompt, int MaxTokens, string? Model);
