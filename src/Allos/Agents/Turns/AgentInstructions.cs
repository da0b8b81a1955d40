using Allos.Prompts;
using Microsoft.Extensions.AI;

namespace Allos.Agents.Turns;

/// <summary>
/// Where each agent's instructions come from: text sent as written, text whose <c>{{variables}}</c> the run variables
/// fill, or the system sections of a prompt template. Checked when the runner is built, rendered when a run starts.
/// </summary>
internal sealed class AgentInstructions
{
    private readonly Dictionary<string, Source> _templated;

    private AgentInstructions(Dictionary<string, Source> templated) => _templated = templated;

    /// <exception cref="ConfigurationException">An agent has both a prompt and instructions, a prompt without a system section, or instructions that do not compile.</exception>
    public static AgentInstructions Build(IEnumerable<AgentDefinition> agents)
    {
        var templated = new Dictionary<string, Source>(StringComparer.Ordinal);
        foreach (AgentDefinition agent in agents)
        {
            if (agent.Prompt is { } prompt)
            {
                if (agent.Instructions is not null)
                {
                    throw new ConfigurationException(
                        $"Agent '{agent.Name}' has both a prompt ({prompt.Reference}) and instructions; its instructions come from the prompt's system section, so remove one of them.");
                }

                CheckSystemSection(agent.Name, prompt);
                templated[agent.Name] = new Source(null, [], prompt);
            }
            else if (agent.Instructions is { } text && IsTemplate(text))
            {
                try
                {
                    (Func<IReadOnlyDictionary<string, object?>, string> render, IReadOnlyList<string> variables) = Compile(text, $"instructions of agent '{agent.Name}'", 1);
                    templated[agent.Name] = new Source(render, variables, null);
                }
                catch (PromptException ex)
                {
                    throw new ConfigurationException(ex.Message);
                }
            }
        }

        return new AgentInstructions(templated);
    }

    /// <summary>Whether <paramref name="text"/> goes through the template engine; without <c>{{</c> it is sent as written.</summary>
    public static bool IsTemplate(string text) => text.Contains("{{", StringComparison.Ordinal);

    /// <summary>Checks and compiles instructions; the variables they use are returned in order of first use.</summary>
    /// <exception cref="PromptException">The text is not a valid template; the message gives <paramref name="file"/> and the line.</exception>
    public static (Func<IReadOnlyDictionary<string, object?>, string> Render, IReadOnlyList<string> Variables) Compile(string text, string file, int firstLine)
    {
        IReadOnlyList<TemplateVariable> used = TemplateScanner.Scan(text, file, firstLine);
        Func<IReadOnlyDictionary<string, object?>, string> render = TemplateEngine.Compile(text, file, firstLine);
        return (render, [.. used.Select(variable => variable.Name).Distinct(StringComparer.Ordinal)]);
    }

    /// <exception cref="ConfigurationException">The prompt has no system section to take instructions from.</exception>
    public static void CheckSystemSection(string agent, PromptTemplate prompt)
    {
        if (!prompt.Sections.Contains(ChatRole.System))
        {
            throw new ConfigurationException(
                $"Agent '{agent}' takes its instructions from prompt {prompt.Reference} ({prompt.FilePath}), which has no system: section; add one, or give the agent instructions instead.");
        }
    }

    /// <summary>Renders the instructions of every templated agent with the run's variables, so a missing one fails before any model call.</summary>
    /// <exception cref="ConfigurationException">A variable or a required prompt input is missing, or a value does not fit its input.</exception>
    public void RenderAll(RunState state)
    {
        foreach ((string agent, Source source) in _templated)
        {
            state.Instructions[agent] = source.Render(agent, state.Variables);
        }
    }

    /// <summary>The instructions to send for <paramref name="agent"/> in this run.</summary>
    public string? For(RunState state, AgentDefinition agent)
    {
        if (state.Instructions.TryGetValue(agent.Name, out string? rendered))
        {
            return rendered;
        }

        // A state saved before its agents had templated instructions: render them now, from the variables it kept.
        return _templated.TryGetValue(agent.Name, out Source? source)
            ? state.Instructions[agent.Name] = source.Render(agent.Name, state.Variables)
            : agent.Instructions;
    }

    private sealed record Source(Func<IReadOnlyDictionary<string, object?>, string>? Template, IReadOnlyList<string> Variables, PromptTemplate? Prompt)
    {
        public string Render(string agent, IReadOnlyDictionary<string, object?> variables)
        {
            if (Prompt is { } prompt)
            {
                // Run variables also serve other agents and tools: the prompt gets only those it declares.
                var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (PromptInput input in prompt.Inputs)
                {
                    if (variables.TryGetValue(input.Name, out object? value))
                    {
                        inputs[input.Name] = value;
                    }
                }

                RenderedPrompt rendered;
                try
                {
                    rendered = prompt.Render(inputs);
                }
                catch (PromptException ex)
                {
                    throw new ConfigurationException($"Agent '{agent}' takes its instructions from prompt {prompt.Reference}: {ex.Message}");
                }

                return string.Join("\n\n", rendered.Messages.Where(message => message.Role == ChatRole.System).Select(message => message.Text));
            }

            foreach (string name in Variables)
            {
                if (!variables.ContainsKey(name))
                {
                    throw new ConfigurationException(
                        $"Agent '{agent}' uses {{{{{name}}}}} in its instructions, and the run has no variable '{name}'; pass it as a run variable (RunOptions.Variables; on the command line --var {name}=...).");
                }
            }

            return Template!(variables);
        }
    }
}
