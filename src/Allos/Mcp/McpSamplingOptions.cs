using Microsoft.Extensions.AI;

namespace Allos.Mcp;

/// <summary>
/// How <see cref="McpServers"/> answers a server's <c>sampling/createMessage</c> requests: the client they are sent
/// through, the model, and who approves them. Set as <see cref="McpServers.Sampling"/>; without it the <c>sampling</c>
/// capability is not offered.
/// </summary>
/// <remarks>
/// <para>
/// The model is chosen in this order: the server's <see cref="McpServerOptions.SamplingModel"/>; else the first of the
/// request's <c>modelPreferences.hints[].name</c> that is exactly (ignoring case) one of <see cref="HintModels"/>; else
/// <see cref="Model"/>. Hints that name other models are ignored, so a server cannot pick a model the user did not list.
/// Priorities (cost, speed, intelligence) are ignored.
/// </para>
/// <para>
/// Only <c>includeContext: none</c> is honoured: the <c>context</c> sub-capability is not offered, and a request asking for
/// <c>thisServer</c> or <c>allServers</c> is answered from its own messages alone. Text and image content is sent; audio
/// and other content is described in a line. Request-scoped tools are not offered.
/// </para>
/// <para>
/// Security: the messages and system prompt are written by the server and may try to steer the model (prompt injection);
/// the answer goes back to the server, not to the agent. Every request costs model tokens: send it through a client
/// that applies budgets and limits (the <c>Router</c>). Properties are read at each request, so they may be changed
/// while servers run.
/// </para>
/// </remarks>
public sealed class McpSamplingOptions
{
    /// <summary>Gets or sets the client the requests are sent through, such as the <c>Router</c>.</summary>
    public required IChatClient ChatClient { get; set; }

    /// <summary>Gets or sets the model (or alias) used when neither the server's configuration nor a hint picks one. Default: <see langword="null"/> (the client's default).</summary>
    public string? Model { get; set; }

    /// <summary>Gets the models and aliases a server's <c>modelPreferences.hints[].name</c> may select. Default: empty (hints are ignored).</summary>
    public ICollection<string> HintModels { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets what decides a request of a server whose <see cref="McpServerOptions.Sampling"/> is
    /// <see cref="Tools.ToolPermission.Ask"/>. Default: <see langword="null"/>: such requests are refused, with a message
    /// that says to set <c>sampling: allow</c> for the server.
    /// </summary>
    public Func<McpSamplingRequest, CancellationToken, ValueTask<McpSamplingDecision>>? Approval { get; set; }
}
