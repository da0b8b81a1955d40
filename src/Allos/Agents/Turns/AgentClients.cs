using System.Collections.Concurrent;
using Allos.Context;
using Allos.Models;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>
/// The client each model call goes through: the caller's pipeline as given (<see cref="AgentRunnerOptions.ChatClient"/>
/// or <see cref="AgentRunnerOptions.ChatClientFactory"/>), or, when the caller gives none, one the runner builds per
/// model: the provider client behind the <see cref="AgentRunnerOptions.ContextPolicy"/>.
/// </summary>
internal sealed class AgentClients(AgentRunnerOptions options)
{
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(StringComparer.Ordinal);

    /// <summary>Whether every agent shares the caller's one pipeline, the agent's model going in <see cref="ChatOptions.ModelId"/>.</summary>
    public bool Shared => options.ChatClient is not null;

    public IChatClient For(string? model, AgentDefinition agent)
    {
        if (options.ChatClient is { } shared)
        {
            return shared;
        }

        string id = model ?? throw new ConfigurationException($"Agent '{agent.Name}' names no model and the runner has no DefaultModel; set one, or give the runner a ChatClient.");
        if (options.ChatClientFactory is { } factory)
        {
            return _clients.GetOrAdd(id, static (key, create) => create(key), factory);
        }

        return _clients.GetOrAdd($"{id}\n{agent.MaxOutputTokens}", _ =>
            FitToWindow(ChatClients.Create(id), id, agent.MaxOutputTokens, options.ContextPolicy ?? ContextPolicy.None, options.Models));
    }

    /// <summary>
    /// Puts <paramref name="client"/> behind a context window sized for <paramref name="model"/>, with room reserved for the
    /// output: what the runner's own clients and <c>Hosting.AgentRunnerFactory</c>'s get.
    /// </summary>
    /// <remarks>
    /// The window comes from the client (the Router's alias clients know their smallest deployment) or the catalog. An
    /// overflow the provider still reports is compacted and retried once, even with <see cref="ContextPolicy.None"/>.
    /// </remarks>
    public static IChatClient FitToWindow(IChatClient client, string model, int? maxOutputTokens, ContextPolicy policy, ModelCatalog models)
    {
        ModelInfo info = client.GetService<ModelInfo>() ?? models.Get(model);
        long reserve = maxOutputTokens ?? Math.Min(info.MaxOutputTokens, 8_192);
        return client.UseContextWindow(policy, new ContextBudget(info.ContextWindow, Math.Min(reserve, info.ContextWindow / 2)));
    }
}
