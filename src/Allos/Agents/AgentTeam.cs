using System.Globalization;
using Allos.Tools;
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
/// </code>
/// </example>
public sealed class AgentTeam
{
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
    /// <exception cref="ConfigurationException">The file is malformed; the message gives the line.</exception>
    public static AgentTeam LoadFile(string path) => LoadYaml(File.ReadAllText(path), path);

    /// <summary>Loads a team from YAML text: <c>agents</c> as a list (or a map by name), and an optional <c>entry</c>.</summary>
    /// <exception cref="ConfigurationException">The text is malformed; the message gives the line.</exception>
    public static AgentTeam LoadYaml(string yaml, string source = "agents.yaml")
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new ConfigurationException($"{source}:{ex.Start.Line}: {ex.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigurationException($"{source}: expected a mapping with an 'agents' key.");
        }

        var agents = new List<AgentDefinition>();
        switch (Get(root, "agents"))
        {
            case YamlSequenceNode list:
                foreach (YamlNode node in list)
                {
                    agents.Add(ReadAgent(Mapping(node, source, "an agent"), null, source));
                }

                break;
            case YamlMappingNode byName:
                foreach (KeyValuePair<YamlNode, YamlNode> entry in byName)
                {
                    agents.Add(ReadAgent(Mapping(entry.Value, source, "an agent"), Scalar(entry.Key), source));
                }

                break;
            default:
                throw new ConfigurationException($"{source}:{root.Start.Line}: 'agents' must be a list of agents or a map of agents by name.");
        }

        return new AgentTeam(agents, Scalar(Get(root, "entry")));
    }

    private static AgentDefinition ReadAgent(YamlMappingNode node, string? name, string source)
    {
        name ??= Scalar(Get(node, "name")) ?? throw new ConfigurationException($"{source}:{node.Start.Line}: an agent has no 'name'.");
        var agent = new AgentDefinition
        {
            Name = name,
            Description = Scalar(Get(node, "description")),
            Instructions = Scalar(Get(node, "instructions")),
            Model = Scalar(Get(node, "model")),
            ToolChoice = Scalar(Get(node, "tool_choice")),
        };

        foreach (string tool in List(Get(node, "tools"), source))
        {
            agent.Tools.Add(tool);
        }

        foreach (string target in List(Get(node, "handoffs"), source))
        {
            agent.Handoffs.Add(target);
        }

        if (Scalar(Get(node, "autonomy")) is { } autonomy)
        {
            agent.Autonomy = Enum.TryParse(autonomy, ignoreCase: true, out AutonomyLevel level)
                ? level
                : throw new ConfigurationException($"{source}:{Get(node, "autonomy")!.Start.Line}: autonomy must be manual, supervised or autonomous, not '{autonomy}'.");
        }

        if (Get(node, "permissions") is YamlMappingNode permissions)
        {
            foreach (KeyValuePair<YamlNode, YamlNode> entry in permissions)
            {
                string value = Scalar(entry.Value) ?? "";
                agent.ToolPermissions[Scalar(entry.Key)!] = Enum.TryParse(value, ignoreCase: true, out ToolPermission permission)
                    ? permission
                    : throw new ConfigurationException($"{source}:{entry.Value.Start.Line}: a permission must be allow, ask or deny, not '{value}'.");
            }
        }

        agent.MaxIterations = Number(node, "max_iterations", source) is double iterations ? (int)iterations : agent.MaxIterations;
        agent.Temperature = Number(node, "temperature", source) is double temperature ? (float)temperature : null;
        agent.MaxOutputTokens = Number(node, "max_output_tokens", source) is double tokens ? (int)tokens : null;
        return agent;
    }

    private static YamlNode? Get(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? value) ? value : null;

    private static string? Scalar(YamlNode? node) => node is YamlScalarNode { Value: { Length: > 0 } value } ? value : null;

    private static YamlMappingNode Mapping(YamlNode node, string source, string what) =>
        node as YamlMappingNode ?? throw new ConfigurationException($"{source}:{node.Start.Line}: expected {what} (a mapping).");

    private static IEnumerable<string> List(YamlNode? node, string source) => node switch
    {
        null => [],
        YamlSequenceNode sequence => sequence.Select(n => Scalar(n) ?? throw new ConfigurationException($"{source}:{n.Start.Line}: expected a name.")),
        YamlScalarNode scalar => (scalar.Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        _ => throw new ConfigurationException($"{source}:{node.Start.Line}: expected a list of names."),
    };

    private static double? Number(YamlMappingNode node, string key, string source)
    {
        YamlNode? value = Get(node, key);
        if (Scalar(value) is not { } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)
            ? number
            : throw new ConfigurationException($"{source}:{value!.Start.Line}: {key} must be a number, not '{text}'.");
    }
}
