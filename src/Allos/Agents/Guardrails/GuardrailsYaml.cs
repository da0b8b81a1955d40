using Allos.Yaml;
using YamlDotNet.RepresentationModel;

namespace Allos.Agents.Guardrails;

/// <summary>Reads an agent's <c>guardrails: { input: [...], output: [...] }</c>, with the file's line in every error.</summary>
/// <example>
/// <code language="yaml">
/// guardrails:
///   input:
///     - deny: ['(?i)ignore (all )?previous instructions']
///     - redact: [email, phone, card, api_key]   # or: redact: all
///     - max_length: 4000
///     - judge: { prompt: The message asks for medical advice., model: small }
///   output:
///     - json_schema: { type: object, required: [answer] }
///     - redact: api_key
///       action: stop
/// </code>
/// </example>
internal static class GuardrailsYaml
{
    private static readonly string[] StageKeys = ["input", "output"];

    private static readonly string[] Kinds = ["deny", "redact", "max_length", "json_schema", "judge"];

    private static readonly string[] OptionKeys = ["name", "action"];

    private static readonly string[] JudgeKeys = ["prompt", "model"];

    private static readonly Dictionary<string, RedactionKinds> Redactions = new(StringComparer.Ordinal)
    {
        ["all"] = RedactionKinds.All,
        ["email"] = RedactionKinds.Email,
        ["phone"] = RedactionKinds.Phone,
        ["card"] = RedactionKinds.Card,
        ["api_key"] = RedactionKinds.ApiKey,
    };

    public static void Read(ConfigurationReader reader, YamlNode node, AgentDefinition agent)
    {
        YamlMappingNode stages = reader.Mapping(node, "guardrails (input: and output: lists)");
        reader.CheckKeys(stages, "guardrails", StageKeys);
        foreach ((string key, GuardrailStage stage) in new[] { ("input", GuardrailStage.Input), ("output", GuardrailStage.Output) })
        {
            switch (reader.Get(stages, key))
            {
                case null:
                    break;
                case YamlSequenceNode list:
                    foreach (YamlNode item in list)
                    {
                        agent.Guardrails.Add(ReadOne(reader, reader.Mapping(item, $"a guardrail of guardrails.{key}"), stage, agent.Name));
                    }

                    break;
                case YamlNode other:
                    throw reader.Error(other, $"guardrails.{key} must be a list of guardrails, such as [{{ max_length: 4000 }}].");
            }
        }
    }

    private static Guardrail ReadOne(ConfigurationReader reader, YamlMappingNode node, GuardrailStage stage, string agent)
    {
        reader.CheckKeys(node, "a guardrail", [.. Kinds, .. OptionKeys]);
        string[] kinds = [.. node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "").Where(k => !OptionKeys.Contains(k, StringComparer.Ordinal))];
        if (kinds.Length != 1)
        {
            throw reader.Error(node, kinds.Length == 0
                ? $"a guardrail of agent '{agent}' names no kind; use one of {string.Join(", ", Kinds)}."
                : $"a guardrail has one kind, not {string.Join(" and ", kinds)}; write each as its own list entry.");
        }

        string kind = kinds[0];
        YamlNode value = reader.Get(node, kind) ?? throw reader.Error(node, $"guardrail '{kind}' has no value.");
        string? name = reader.String(node, "name");
        GuardrailAction? action = reader.Get(node, "action") is { } actionNode ? Action(reader, actionNode, kind) : null;
        try
        {
            return kind switch
            {
                "deny" => Guardrail.Deny(reader.Names(node, "deny"), stage, action ?? GuardrailAction.Stop, name),
                "redact" => Guardrail.Redact(stage, RedactKinds(reader, node), action ?? GuardrailAction.Redact, name),
                "max_length" => Guardrail.MaxLength(reader.Integer(node, "max_length", 1)!.Value, stage, name),
                "json_schema" => JsonSchema(reader, value, stage, name),
                _ => Judge(reader, value, stage, name),
            };
        }
        catch (ArgumentException ex)
        {
            throw reader.Error(value, ex.Message);
        }
    }

    private static GuardrailAction Action(ConfigurationReader reader, YamlNode node, string kind)
    {
        string text = reader.String(node, "action").Trim();
        GuardrailAction action = text.ToLowerInvariant() switch
        {
            "stop" => GuardrailAction.Stop,
            "redact" => GuardrailAction.Redact,
            _ => throw reader.Error(node, $"action must be stop or redact, not '{text}'."),
        };
        return action == GuardrailAction.Redact && kind is not ("deny" or "redact")
            ? throw reader.Error(node, $"guardrail '{kind}' can only stop the run; action: redact is for deny and redact.")
            : action;
    }

    private static RedactionKinds RedactKinds(ConfigurationReader reader, YamlMappingNode node)
    {
        RedactionKinds kinds = RedactionKinds.None;
        foreach (string name in reader.Names(node, "redact"))
        {
            kinds |= Redactions.TryGetValue(name.ToLowerInvariant(), out RedactionKinds kind)
                ? kind
                : throw reader.Error(reader.Get(node, "redact")!, $"redact takes {string.Join(", ", Redactions.Keys)}, not '{name}'.");
        }

        return kinds;
    }

    private static Guardrail JsonSchema(ConfigurationReader reader, YamlNode value, GuardrailStage stage, string? name)
    {
        if (stage != GuardrailStage.Output)
        {
            throw reader.Error(value, "json_schema checks the final answer: put it under guardrails.output.");
        }

        string schema = value is YamlScalarNode ? reader.String(value, "json_schema") : YamlValues.ToJson(value).GetRawText();
        return Guardrail.JsonSchema(schema, name);
    }

    private static Guardrail Judge(ConfigurationReader reader, YamlNode value, GuardrailStage stage, string? name)
    {
        YamlMappingNode judge = reader.Mapping(value, "judge (prompt: and model:)");
        reader.CheckKeys(judge, "judge", JudgeKeys);
        string prompt = reader.String(judge, "prompt") ?? throw reader.Error(judge, "judge has no prompt: the rule the judge model checks.");
        string model = reader.String(judge, "model") ?? throw reader.Error(judge, "judge has no model: a small model (provider/model or an alias) to ask.");
        return Guardrail.Judge(prompt, model, stage, name);
    }
}
