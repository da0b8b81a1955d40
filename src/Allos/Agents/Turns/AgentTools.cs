using Allos.Tools;
using Allos.Tools.BuiltIn;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>An agent's tools and handoff declarations, resolved once per runner.</summary>
/// <param name="ByName">The agent's tools by name.</param>
/// <param name="Names">The names listed to a model that calls an unknown tool.</param>
/// <param name="Declared">What the model is told it may call: declarations only, never invocable functions.</param>
internal sealed record AgentTools(Dictionary<string, Tool> ByName, IReadOnlyCollection<string> Names, IReadOnlyList<AITool> Declared)
{
    /// <summary>Resolves <paramref name="agent"/>'s tools and handoffs; fails early, listing the tools and agents there are.</summary>
    /// <exception cref="ConfigurationException">A tool or handoff target does not exist.</exception>
    public static AgentTools Build(AgentDefinition agent, ToolRegistry registry, IReadOnlyDictionary<string, AgentDefinition> team)
    {
        // The provider's own search is no registry tool (Resolve skips it): the model runs it, so nothing is called or approved here.
        bool hostedSearch = agent.Tools.Any(name => name.Trim() == BuiltInTools.HostedWebSearch);
        IReadOnlyList<Tool> tools = registry.Resolve(agent.Tools);

        // Plain declarations: a FunctionInvokingChatClient in the caller's pipeline then hands the calls back to the
        // runner instead of running them itself, past validation, permissions and approvals. Not AsDeclarationOnly,
        // which forwards GetService: the tool's approval marker would make that client turn the call into its own
        // approval request, which the runner does not answer.
        var declared = new List<AITool>(tools.Count + agent.Handoffs.Count);
        declared.AddRange(tools.Select(tool => AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, tool.JsonSchema, tool.ReturnJsonSchema)));
        foreach (string target in agent.Handoffs)
        {
            AgentDefinition to = team.TryGetValue(target, out AgentDefinition? found) ? found
                : throw new ConfigurationException($"Agent '{agent.Name}' hands off to '{target}', which is not in the team ({string.Join(", ", team.Keys)}).");
            declared.Add(Handoffs.Declaration(to));
        }

        if (hostedSearch)
        {
            declared.Add(new HostedWebSearchTool());
        }

        return new AgentTools(tools.ToDictionary(t => t.Name, StringComparer.Ordinal), [.. tools.Select(t => t.Name)], declared);
    }
}
