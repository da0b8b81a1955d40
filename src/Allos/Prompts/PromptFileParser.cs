using System.Globalization;
using System.Text.RegularExpressions;
using Allos.Yaml;
using Microsoft.Extensions.AI;
using YamlDotNet.RepresentationModel;

namespace Allos.Prompts;

/// <summary>
/// Reads one <c>NAME.prompt.md</c>: YAML front matter between <c>---</c> lines, then a body of role sections
/// (<c>system:</c>, <c>user:</c>, <c>assistant:</c> alone on a line). Everything is checked here, with the file and line:
/// unknown keys, types, the template's syntax, and variables used but not declared.
/// </summary>
internal static partial class PromptFileParser
{
    public const string Extension = ".prompt.md";

    private static readonly string[] TopLevelKeys = ["name", "version", "labels", "description", "model", "options", "inputs", "examples", "tests"];
    private static readonly string[] InputKeys = ["type", "required", "default", "description"];
    private static readonly string[] ExampleKeys = ["user", "assistant"];

    /// <summary>Front matter's type names, from the one table <see cref="PromptInput.TypeName"/> prints with, in declaration order.</summary>
    private static readonly Dictionary<string, PromptInputType> InputTypes =
        PromptInput.TypeNames.OrderBy(entry => entry.Key).ToDictionary(entry => entry.Value, entry => entry.Key, StringComparer.Ordinal);

    /// <summary>Parses the file at <paramref name="path"/>, as <paramref name="display"/> names it in errors.</summary>
    /// <exception cref="PromptException">The file is malformed; the message starts with <c>file:line:</c>.</exception>
    public static PromptTemplate Parse(string text, string path, string display, List<PromptWarning> warnings)
    {
        try
        {
            return ParseFile(text, path, display, warnings);
        }
        catch (ConfigurationException ex) when (ex.Message.StartsWith(display + ":", StringComparison.Ordinal))
        {
            // The YAML reader's errors read "file:line: message"; as a PromptException they carry the file and line too.
            string rest = ex.Message[(display.Length + 1)..];
            int colon = rest.IndexOf(':', StringComparison.Ordinal);
            int? line = colon > 0 && int.TryParse(rest.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out int parsed) ? parsed : null;
            throw new PromptException(line is null ? rest.TrimStart() : rest[(colon + 1)..].TrimStart(), display, line);
        }
    }

    private static PromptTemplate ParseFile(string text, string path, string display, List<PromptWarning> warnings)
    {
        string[] lines = text.TrimStart('\uFEFF').Split('\n');
        if (lines.Length == 0 || lines[0].TrimEnd('\r').Trim() != "---")
        {
            throw new PromptException("a prompt file starts with a '---' line, then its YAML front matter, then another '---' line and the body.", display, 1);
        }

        int close = Array.FindIndex(lines, 1, line => line.TrimEnd('\r').Trim() == "---");
        if (close < 0)
        {
            throw new PromptException("the front matter opened on line 1 is never closed with a '---' line.", display, 1);
        }

        // A blank first line keeps YAML's line numbers equal to the file's.
        string yaml = "\n" + string.Join('\n', lines[1..close]);
        var reader = new ConfigurationReader(display, environment: null);
        YamlMappingNode root = ConfigurationReader.Parse(yaml, display) is { } node ? reader.Mapping(node, "the front matter") : new YamlMappingNode();
        reader.CheckKeys(root, "the front matter", TopLevelKeys);

        string fileName = Path.GetFileName(path);
        string defaultName = fileName.EndsWith(Extension, StringComparison.OrdinalIgnoreCase) ? fileName[..^Extension.Length] : Path.GetFileNameWithoutExtension(fileName);
        string name = reader.Get(root, "name") is { } nameNode ? reader.String(nameNode, "name").Trim() : defaultName;
        if (!PromptReference.IsName(name))
        {
            YamlNode at = reader.Get(root, "name") ?? root;
            throw new PromptException($"'{name}' is not a usable prompt name: letters, digits, '_', '-' and '.', starting with a letter or digit{(reader.Get(root, "name") is null ? " (it comes from the file name; set name:)" : "")}.", display, LineOf(at));
        }

        int version = reader.Integer(root, "version", 1) ?? 1;
        int versionLine = reader.Get(root, "version") is { } versionNode ? LineOf(versionNode) : 1;
        (List<string> labels, List<int> labelLines) = Labels(reader, root, display);
        string? model = NonBlank(reader.String(root, "model"));
        List<PromptInput> inputs = Inputs(reader, root, display);
        List<PromptExample> examples = Examples(reader, root);
        Func<ChatOptions> options = PromptOptionsReader.Read(reader, root, model);
        List<PromptTest> tests = PromptTestReader.Read(reader, root, display);

        List<PromptSection> sections = Sections(lines, close + 1, display, inputs, warnings);
        var header = new PromptFileHeader(path, display, name, version, versionLine, labels, labelLines, NonBlank(reader.String(root, "description")), model, inputs, examples, tests);
        var template = new PromptTemplate(header, sections, options);

        // A test is checked like a render, at load time: a typo in its vars is found before the model is paid.
        foreach (PromptTest test in tests)
        {
            template.Bind(test.Variables, display, test.Line);
        }

        return template;
    }

    private static (List<string> Labels, List<int> Lines) Labels(ConfigurationReader reader, YamlMappingNode root, string display)
    {
        var labels = new List<string>();
        var lines = new List<int>();
        if (reader.Get(root, "labels") is not { } node)
        {
            return (labels, lines);
        }

        IEnumerable<YamlNode> items = node switch
        {
            YamlSequenceNode sequence => sequence.Children,
            YamlScalarNode scalar => [scalar],
            _ => throw reader.Error(node, "labels must be a list of names, such as [production, staging]."),
        };
        foreach (YamlNode item in items)
        {
            string label = reader.String(item, "each label").Trim();
            if (!PromptReference.IsLabel(label))
            {
                throw new PromptException($"'{label}' is not a usable label: it starts with a letter (name@3 means a version), then letters, digits, '_', '-' or '.'.", display, LineOf(item));
            }

            if (labels.Contains(label, StringComparer.Ordinal))
            {
                throw new PromptException($"label '{label}' is listed twice.", display, LineOf(item));
            }

            labels.Add(label);
            lines.Add(LineOf(item));
        }

        return (labels, lines);
    }

    private static List<PromptInput> Inputs(ConfigurationReader reader, YamlMappingNode root, string display)
    {
        var inputs = new List<PromptInput>();
        if (reader.Get(root, "inputs") is not { } node)
        {
            return inputs;
        }

        foreach ((YamlNode key, YamlNode value) in reader.Mapping(node, "inputs"))
        {
            string name = ((YamlScalarNode)key).Value ?? "";
            if (!IdentifierPattern().IsMatch(name))
            {
                throw new PromptException($"'{name}' is not a usable input name: a letter or '_', then letters, digits or '_'.", display, LineOf(key));
            }

            PromptInputType type = PromptInputType.String;
            bool required = false;
            string? description = null;
            YamlNode? defaultNode = null;
            if (value is YamlScalarNode shorthand && !ConfigurationReader.IsEmpty(value))
            {
                type = InputType(reader, shorthand); // language: string
            }
            else if (!ConfigurationReader.IsEmpty(value))
            {
                YamlMappingNode spec = reader.Mapping(value, $"input '{name}'");
                reader.CheckKeys(spec, $"input '{name}'", InputKeys);
                type = reader.Get(spec, "type") is { } typeNode ? InputType(reader, typeNode) : PromptInputType.String;
                required = reader.Boolean(spec, "required") ?? false;
                description = NonBlank(reader.String(spec, "description"));
                defaultNode = reader.Get(spec, "default");
            }

            var input = new PromptInput(name, type, required, null, description, LineOf(key));
            object? defaultValue = null;
            if (defaultNode is not null && !input.TryConvert(YamlValues.ToObject(defaultNode), out defaultValue, out string? error))
            {
                throw new PromptException($"the default of input '{name}' {error}.", display, LineOf(defaultNode), name);
            }

            inputs.Add(new PromptInput(name, type, required, defaultValue, description, LineOf(key)));
        }

        return inputs;
    }

    private static PromptInputType InputType(ConfigurationReader reader, YamlNode node)
    {
        string text = reader.String(node, "type").Trim();
        if (InputTypes.TryGetValue(text, out PromptInputType type))
        {
            return type;
        }

        string hint = KeySuggestion.Nearest(text, InputTypes.Keys) is { } near ? $"did you mean '{near}'? " : "";
        throw reader.Error(node, $"unknown input type '{text}'; {hint}types: {string.Join(", ", InputTypes.Keys)}.");
    }

    private static List<PromptExample> Examples(ConfigurationReader reader, YamlMappingNode root)
    {
        var examples = new List<PromptExample>();
        if (reader.Get(root, "examples") is not { } node)
        {
            return examples;
        }

        foreach (YamlNode item in Sequence(reader, node, "examples", "a list of { user: ..., assistant: ... } pairs"))
        {
            YamlMappingNode pair = reader.Mapping(item, "each example");
            reader.CheckKeys(pair, "an example", ExampleKeys);
            string user = reader.String(pair, "user") ?? throw reader.Error(item, "an example needs both user: and assistant:; user: is missing.");
            string assistant = reader.String(pair, "assistant") ?? throw reader.Error(item, "an example needs both user: and assistant:; assistant: is missing.");
            examples.Add(new PromptExample(user, assistant));
        }

        return examples;
    }

    private static List<PromptSection> Sections(string[] lines, int first, string display, List<PromptInput> inputs, List<PromptWarning> warnings)
    {
        var sections = new List<(ChatRole Role, int Line, int ContentLine, List<string> Text)>();
        for (int i = first; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            Match role = RolePattern().Match(line);
            if (role.Success)
            {
                sections.Add((new ChatRole(role.Groups[1].Value.ToLowerInvariant()), i + 1, i + 2, []));
                continue;
            }

            if (sections.Count == 0)
            {
                if (line.Trim().Length > 0)
                {
                    throw new PromptException("text before the first role section; the body is made of sections that each start with a 'system:', 'user:' or 'assistant:' line.", display, i + 1);
                }

                continue;
            }

            sections[^1].Text.Add(line);
        }

        if (sections.Count == 0)
        {
            throw new PromptException("the body has no role section; write a 'system:' or 'user:' line, then its text.", display, first + 1);
        }

        var declared = new HashSet<string>(inputs.Select(input => input.Name), StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var compiled = new List<PromptSection>(sections.Count);
        foreach ((ChatRole role, int line, int contentLine, List<string> text) in sections)
        {
            string body = string.Join('\n', text);
            if (body.Trim().Length == 0)
            {
                throw new PromptException($"the '{role.Value}:' section is empty; give it text or remove the line.", display, line);
            }

            foreach (TemplateVariable variable in TemplateScanner.Scan(body, display, contentLine))
            {
                if (!declared.Contains(variable.Name))
                {
                    string hint = KeySuggestion.Nearest(variable.Name, declared) is { } near ? $"did you mean '{near}'? " : "";
                    throw new PromptException($"the template uses '{variable.Name}', which is not declared under inputs:; {hint}declare it (inputs: {{ {variable.Name}: {{ type: string }} }}) or fix the name.", display, variable.Line, variable.Name);
                }

                used.Add(variable.Name);
            }

            compiled.Add(new PromptSection(role, line, TemplateEngine.Compile(body, display, contentLine)));
        }

        foreach (PromptInput input in inputs.Where(input => input.Required && !used.Contains(input.Name)))
        {
            warnings.Add(new PromptWarning(display, input.Line, $"input '{input.Name}' is required but the template never uses it."));
        }

        return compiled;
    }

    internal static IEnumerable<YamlNode> Sequence(ConfigurationReader reader, YamlNode node, string key, string shape) =>
        node as YamlSequenceNode is { } sequence ? sequence.Children : throw reader.Error(node, $"{key} must be {shape}.");

    internal static int LineOf(YamlNode node) => (int)node.Start.Line;

    internal static string? NonBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    [GeneratedRegex("^(system|user|assistant|System|User|Assistant|SYSTEM|USER|ASSISTANT):[ \\t]*$")]
    private static partial Regex RolePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
