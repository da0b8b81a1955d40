using System.Text.Json;
using System.Text.RegularExpressions;
using Allos.Tools.Validation;
using Allos.Yaml;
using YamlDotNet.RepresentationModel;

namespace Allos.Prompts;

/// <summary>Reads a prompt file's <c>tests:</c>: each test's input values and its expectations, checked (regular expressions compiled, schemas built) at load time.</summary>
internal static class PromptTestReader
{
    private static readonly string[] TestKeys = ["name", "vars", "expect"];
    private static readonly string[] ExpectKeys = ["contains", "not_contains", "equals", "matches", "json_schema"];

    public static List<PromptTest> Read(ConfigurationReader reader, YamlMappingNode root, string display)
    {
        var tests = new List<PromptTest>();
        if (reader.Get(root, "tests") is not { } node)
        {
            return tests;
        }

        foreach (YamlNode item in PromptFileParser.Sequence(reader, node, "tests", "a list of { vars: ..., expect: ... } entries"))
        {
            YamlMappingNode test = reader.Mapping(item, "each test");
            reader.CheckKeys(test, "a test", TestKeys);
            var variables = new Dictionary<string, object?>(StringComparer.Ordinal);
            if (reader.Get(test, "vars") is { } vars)
            {
                foreach ((YamlNode key, YamlNode value) in reader.Mapping(vars, "vars"))
                {
                    variables[((YamlScalarNode)key).Value ?? ""] = YamlValues.ToObject(value);
                }
            }

            YamlNode expectNode = reader.Get(test, "expect") ?? throw reader.Error(item, "a test needs expect: (contains, not_contains, equals, matches or json_schema).");
            YamlMappingNode expect = reader.Mapping(expectNode, "expect");
            reader.CheckKeys(expect, "expect", ExpectKeys);
            if (!expect.Children.Any())
            {
                throw reader.Error(expectNode, "expect: is empty; give contains, not_contains, equals, matches or json_schema.");
            }

            string? pattern = reader.String(expect, "matches");
            Regex? compiled = null;
            if (pattern is not null)
            {
                try
                {
                    compiled = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException ex)
                {
                    throw reader.Error(reader.Get(expect, "matches")!, $"matches is not a valid regular expression: {ex.Message}");
                }
            }

            JsonElement? schema = null;
            ToolArgumentSchema? compiledSchema = null;
            if (reader.Get(expect, "json_schema") is { } schemaNode)
            {
                schema = YamlValues.ToJson(schemaNode);
                try
                {
                    compiledSchema = ToolArgumentSchema.Build("json_schema", schema.Value, "json_schema");
                }
                catch (ArgumentException ex)
                {
                    throw reader.Error(schemaNode, $"json_schema is not a usable JSON schema: {ex.Message}");
                }
            }

            tests.Add(new PromptTest(tests.Count + 1, PromptFileParser.LineOf(item), variables)
            {
                Name = PromptFileParser.NonBlank(reader.String(test, "name")),
                Contains = Texts(reader, expect, "contains"),
                NotContains = Texts(reader, expect, "not_contains"),
                EqualTo = reader.String(expect, "equals"),
                Matches = pattern,
                CompiledPattern = compiled,
                JsonSchema = schema,
                CompiledSchema = compiledSchema,
            });
        }

        return tests;
    }

    /// <summary>A string or a list of strings, taken whole (commas are text here, not separators).</summary>
    public static List<string> Texts(ConfigurationReader reader, YamlMappingNode parent, string key) => reader.Get(parent, key) switch
    {
        YamlSequenceNode sequence => [.. sequence.Select(item => reader.String(item, $"each entry of {key}"))],
        YamlNode node => [reader.String(node, key)],
        null => [],
    };
}
