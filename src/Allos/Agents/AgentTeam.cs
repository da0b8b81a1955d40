using Allos.Tools;
using Allos.Yaml;
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
/// </code>
/// </example>
public sealed class AgentTeam
{
    private static readonly string[] TeamKeys = ["entry", "agents"];

    private static readonly string[] AgentKeys =
    [
        "name", "description", "instructions", "model", "tools", "handoffs", "autonomy", "permissions", "max_iterations",
        "temperature", "max_output_tokens", "tool_choice",
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
    /// <exception cref="ConfigurationException">The file is malformed or has an unknown key; the message gives the file and line.</exception>
    public static AgentTeam LoadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return LoadYaml(File.ReadAllText(path), path);
    }

    /// <summary>Loads a team from YAML text: <c>agents</c> as a list (or a map by name), and an optional <c>entry</c>.</summary>
    /// <remarks>
    /// The rules of <c>allos.yaml</c> apply: an unknown or misspelt key is an error
    /// naming it, the line and the nearest valid key. <c>${VAR}</c> is kept as written, since instructions are prompt text.
    /// </remarks>
    /// <exception cref="ConfigurationException">The text is malformed or has an unknown key; the message gives the line.</exception>
    public static AgentTeam LoadYaml(string yaml, string source = "agents.yaml")
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(source);
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
                    agents.Add(ReadAgent(reader, reader.Mapping(node, "an agent"), null));
                }

                break;
            case YamlMappingNode byName:
                foreach (KeyValuePair<YamlNode, YamlNode> entry in byName)
                {
                    agents.Add(ReadAgent(reader, reader.Mapping(entry.Value, "an agent"), reader.String(entry.Key, "an agent's name")));
                }

                break;
            case null:
                throw reader.Error(root, "there is no 'agents' key; list the agents under it.");
            case YamlNode other:
                throw reader.Error(other, "'agents' must be a list of agents or a map of agents by name.");
        }

        return new AgentTeam(agents, reader.String(root, "entry"));
    }

    private static AgentDefinition ReadAgent(ConfigurationReader reader, YamlMappingNode node, string? name)
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

        agent.MaxIterations = reader.Integer(node, "max_iterations", 1) ?? agent.MaxIterations;
        agent.Temperature = reader.Number(node, "temperature") is double temperature ? (float)temperature : null;
        agent.MaxOutputTokens = reader.Integer(node, "max_output_tokens", 1);
        return agent;
    }
}
