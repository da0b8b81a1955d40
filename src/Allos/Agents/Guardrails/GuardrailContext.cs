using Microsoft.Extensions.AI;

namespace Allos.Agents.Guardrails;

/// <summary>What a guardrail checks, and the models it may ask.</summary>
public sealed class GuardrailContext
{
    private readonly Func<string, IChatClient> _clients;

    internal GuardrailContext(GuardrailStage stage, string agent, string text, Func<string, IChatClient> clients)
    {
        Stage = stage;
        Agent = agent;
        Text = text;
        _clients = clients;
    }

    /// <summary>Gets the stage: the input or the final answer.</summary>
    public GuardrailStage Stage { get; }

    /// <summary>Gets the agent whose input or answer is checked.</summary>
    public string Agent { get; }

    /// <summary>Gets the text to check: the user's input, or the final answer (after the redactions of the guardrails before).</summary>
    public string Text { get; }

    /// <summary>Gets or sets the run's session id, for tagging a model call the guardrail makes.</summary>
    public string? SessionId { get; init; }

    /// <summary>Gets or sets the run's user, for tagging a model call the guardrail makes.</summary>
    public string? User { get; init; }

    /// <summary>
    /// Gets a client for <paramref name="model"/> (<c>provider/model</c> or an alias) through the runner's own pipeline (the
    /// Router, with its aliases, budgets and fallbacks, when the runner has one).
    /// </summary>
    public IChatClient GetChatClient(string model)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        return _clients(model);
    }
}
