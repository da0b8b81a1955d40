using Allos.Agents.Guardrails;
using Allos.Agents.Turns;
using Allos.Memory;
using Allos.Prompts;
using Allos.Tools;
using Allos.Yaml;
using Microsoft.Extensions.AI;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Allos.Agents;

/// <summary>Agents that work together, with the one conversations start with; loadable from <c>agents.yaml</c>.</summary>
/// <example>
/// <code language="yaml">
/// entry: triage
/// agents:
///   - name: triage
///     instructions: Route the customer to the right specialist.
///     model: openai/gpt-4o-mini
///     handoffs: [sales, support]
///   - name: support
///     model: anthropic/claude-sonnet-4-5
///     tools: [files, search]
///     autonomy: supervised
///     permissions: { write_file: deny }
///   - name: reviewer
///     prompt: code_review@production   # instructions, model and sampling from prompts/code_review.prompt.md
///   - name: helper
///     instructions: You help with the {{repo}} repository.   # filled from the run variables
///     guardrails:
///       input: [{ redact: all }, { deny: ['(?i)ignore previous instructions'] }]
///       output: [{ max_length: 8000 }]
/// </code>
/// </example>
public sealed class AgentTeam
{
    private static readonly string[] TeamKeys = ["entry", "agents"];

    private static readonly string[] AgentKeys =
    [
        "name", "description", "instructions", "model", "tools", "handoffs", "autonomy", "permissions", "max_iterations",
        "temperature", "max_output_tokens", "tool_choice", "prompt", "memory", "guardrails",
    ];

    private static readonly Dictionary<string, AutonomyLevel> Autonomies = new()
    {
        ["manual"] = AutonomyLevel.Manual,
        ["supervised"] = AutonomyLevel.Supervised,
        ["autonomous"] = AutonomyLevel.Autonomous,
    };

    private static readonly Dictionary<string, ToolPermission> Permissions = new()
    {
        ["allow"] = ToolPermission.Allow,
        ["ask"] = ToolPermission.Ask,
        ["deny"] = ToolPermission.Deny,
    };

    /// <summary>Initializes a team.</summary>
    public AgentTeam(IReadOnlyList<AgentDefinition> agents, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(agents);
        if (agents.Count == 0)
        {
            throw new ConfigurationException("A team needs at least one agent.");
        }

        Agents = agents;
        Entry = entry ?? agents[0].Name;
    }

    /// <summary>Gets the agents.</summary>
    public IReadOnlyList<AgentDefinition> Agents { get; }

    /// <summary>Gets the agent conversations start with.</summary>
    public string Entry { get; }

    /// <summary>Creates a runner for this team.</summary>
    public AgentRunner CreateRunner(AgentRunnerOptions? options = null) => new(Agents, Entry, options);

    /// <summary>Loads a team from a YAML file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="prompts">
    /// Where <c>prompt:</c> references are found, called once and only when an agent has one, so a broken prompt file does
    /// not stop a team that uses none. Default: <see cref="PromptLibrary.ForProject"/> of the current directory.
    /// </param>
    /// <exception cref="ConfigurationException">
    /// The file is malformed, has an unknown key, an instructions template that does not compile, or a prompt reference
    /// that does not resolve; the message gives the file and line.
    /// </exception>
    public static AgentTeam LoadFile(string path, Func<PromptLibrary>? prompts = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return LoadYaml(File.ReadAllText(path), path, prompts);
    }

    /// <summary>Loads a team from YAML text: <c>agents</c> as a list (or a map by name), and an optional <c>entry</c>.</summary>
    /// <remarks>
    /// The rules of <c>allos.yaml</c> apply: an unknown or misspelt key is an error
    /// naming it, the line and the nearest valid key. <c>${VAR}</c> is kept as written, since instructions are prompt text.
    /// </remarks>
    /// <param name="yaml">The text.</param>
    /// <param name="source">The file name errors give.</param>
    /// <param name="prompts">
    /// Where <c>prompt:</c> references are found, called once and only when an agent has one. Default:
    /// <see cref="PromptLibrary.ForProject"/> of the current directory.
    /// </param>
    /// <exception cref="ConfigurationException">
    /// The text is malformed, has an unknown key, an instructions template that does not compile, or a prompt reference
    /// that does not resolve; the message gives the line.
    /// </exception>
    public static AgentTeam LoadYaml(string yaml, string source = "agents.yaml", Func<PromptLibrary>? prompts = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(source);
        var library = new Lazy<PromptLibrary>(prompts ?? (() => PromptLibrary.ForProject(Directory.GetCurrentDirectory())));
        var reader = new ConfigurationReader(source, environment: null);
        YamlMappingNode root = reader.Mapping(
            ConfigurationReader.Parse(yaml, source) ?? throw new ConfigurationException($"{source}:1: the file is empty; list the agents under an 'agents' key."),
            "the top level (entry: and agents:)");

        reader.CheckKeys(root, source, TeamKeys);
        var agents = new List<AgentDefinition>();
        switch (reader.Get(root, "agents"))
        {
            case YamlSequenceNode list:
                foreach (YamlNode node in list)
                {
                    agents.Add(ReadAgent(reader, reader.Mapping(node, "an agent"), null, library));
                }

                break;
            case YamlMappingNode byName:
                foreach (KeyValuePair<YamlNode, YamlNode> entry in byName)
                {
                    agents.Add(ReadAgent(reader, reader.Mapping(entry.Value, "an agent"), reader.String(entry.Key, "an agent's name"), library));
                }

                break;
            case null:
                throw reader.Error(root, "there is no 'agents' key; list the agents under it.");
            case YamlNode other:
                throw reader.Error(other, "'agents' must be a list of agents or a map of agents by name.");
        }

        return new AgentTeam(agents, reader.String(root, "entry"));
    }

    private static AgentDefinition ReadAgent(ConfigurationReader reader, YamlMappingNode node, string? name, Lazy<PromptLibrary> prompts)
    {
        reader.CheckKeys(node, name is null ? "an agent" : $"agent '{name}'", AgentKeys);
        name ??= reader.String(node, "name") ?? throw reader.Error(node, "an agent has no 'name'.");
        var agent = new AgentDefinition
        {
            Name = name,
            Description = reader.String(node, "description"),
            Instructions = reader.String(node, "instructions"),
            Model = reader.String(node, "model"),
            ToolChoice = reader.String(node, "tool_choice"),
        };

        foreach (string tool in reader.Names(node, "tools"))
        {
            agent.Tools.Add(tool);
        }

        foreach (string target in reader.Names(node, "handoffs"))
        {
            agent.Handoffs.Add(target);
        }

        if (reader.Get(node, "autonomy") is { } autonomyNode)
        {
            string autonomy = reader.String(autonomyNode, "autonomy").Trim();
            agent.Autonomy = Autonomies.TryGetValue(autonomy.ToLowerInvariant(), out AutonomyLevel level)
                ? level
                : throw reader.Error(autonomyNode, $"autonomy must be manual, supervised or autonomous, not '{autonomy}'.");
        }

        if (reader.Get(node, "permissions") is { } permissionsNode)
        {
            foreach (KeyValuePair<YamlNode, YamlNode> entry in reader.Mapping(permissionsNode, "permissions"))
            {
                string value = reader.String(entry.Value, "a permission").Trim();
                agent.ToolPermissions[reader.String(entry.Key, "a tool name")] = Permissions.TryGetValue(value.ToLowerInvariant(), out ToolPermission permission)
                    ? permission
                    : throw reader.Error(entry.Value, $"a permission must be allow, ask or deny, not '{value}'.");
            }
        }

        if (reader.Get(node, "memory") is { } memoryNode)
        {
            string memory = reader.String(memoryNode, "memory").Trim();
            agent.Memory = memory.ToLowerInvariant() switch
            {
                "recall" => MemoryMode.Recall,
                "none" => MemoryMode.None,
                _ => throw reader.Error(memoryNode, $"memory must be recall or none, not '{memory}'."),
            };
        }

        if (reader.Get(node, "guardrails") is { } guardrailsNode)
        {
            GuardrailsYaml.Read(reader, guardrailsNode, agent);
        }

        agent.MaxIterations = reader.Integer(node, "max_iterations", 1) ?? agent.MaxIterations;
        agent.Temperature = reader.Number(node, "temperature") is double temperature ? (float)temperature : null;
        agent.MaxOutputTokens = reader.Integer(node, "max_output_tokens", 1);
        if (reader.Get(node, "instructions") is YamlScalarNode { Value: { } instructions } instructionsNode && AgentInstructions.IsTemplate(instructions))
        {
            CheckTemplate(reader, instructionsNode, instructions);
        }

        if (reader.Get(node, "prompt") is { } promptNode)
        {
            ReadPrompt(reader, promptNode, agent, prompts);
        }

        return agent;
    }

    /// <summary>Checks <c>{{…}}</c> in instructions now, with the file's line, rather than at the first run.</summary>
    private static void CheckTemplate(ConfigurationReader reader, YamlScalarNode node, string text)
    {
        // A block scalar (| or >) starts on the line after its key.
        int firstLine = checked((int)node.Start.Line) + (node.Style is ScalarStyle.Literal or ScalarStyle.Folded ? 1 : 0);
        try
        {
            _ = AgentInstructions.Compile(text, reader.Source, firstLine);
        }
        catch (PromptException ex)
        {
            throw new ConfigurationException(ex.Message);
        }
    }

    /// <summary>Resolves <c>prompt:</c>: the instructions come from it, and the model and sampling the agent leaves unset.</summary>
    private static void ReadPrompt(ConfigurationReader reader, YamlNode node, AgentDefinition agent, Lazy<PromptLibrary> prompts)
    {
        string reference = reader.String(node, "prompt").Trim();
        if (agent.Instructions is not null)
        {
            throw reader.Error(node, $"agent '{agent.Name}' has both prompt: and instructions:; the prompt's system section is its instructions, so remove one of them.");
        }

        if (Mcp.McpServers.IsPromptName(reference))
        {
            // An agent's prompt gives its instructions from a prompt file's system sections; an MCP prompt is user and
            // assistant messages only, so taking it here would silently turn a task into standing instructions.
            throw reader.Error(node, $"agent '{agent.Name}' uses the MCP prompt '{reference}': prompt: takes a prompt file, whose system sections become the instructions, and MCP prompts have none (they are user and assistant messages). Run it as the task instead: `allos run --prompt {reference}`.");
        }

        PromptLibrary library;
        try
        {
            library = prompts.Value;
        }
        catch (Exception ex) when (ex is PromptException or DirectoryNotFoundException)
        {
            throw reader.Error(node, $"agent '{agent.Name}' uses prompt '{reference}', and the prompt files do not load: {ex.Message}");
        }

        PromptTemplate template;
        try
        {
            template = library.Get(reference);
        }
        catch (PromptException ex)
        {
            throw reader.Error(node, $"agent '{agent.Name}' uses prompt '{reference}': {ex.Message}");
        }

        try
        {
            AgentInstructions.CheckSystemSection(agent.Name, template);
        }
        catch (ConfigurationException ex)
        {
            throw reader.Error(node, ex.Message);
        }

        agent.Prompt = template;
        ChatOptions defaults = template.CreateOptions();
        agent.Model ??= template.Model;
        agent.Temperature ??= defaults.Temperature;
        agent.MaxOutputTokens ??= defaults.MaxOutputTokens;
    }
}
