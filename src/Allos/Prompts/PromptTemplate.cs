using Microsoft.Extensions.AI;

namespace Allos.Prompts;

/// <summary>
/// One version of a prompt, loaded from a <c>NAME.prompt.md</c> file and checked: its front matter (inputs, examples,
/// tests, model and options) and its role sections. <see cref="Render"/> turns input values into messages and options.
/// </summary>
/// <remarks>
/// Immutable and thread-safe. Input values are inserted as text: a value that holds <c>{{…}}</c> is sent as written,
/// never run as template syntax. The template itself is code from the repository; do not load prompt files from
/// people you would not let edit your code.
/// </remarks>
public sealed class PromptTemplate
{
    private readonly IReadOnlyList<PromptSection> _sections;
    private readonly Func<ChatOptions> _options;

    internal PromptTemplate(PromptFileHeader header, IReadOnlyList<PromptSection> sections, Func<ChatOptions> options)
    {
        Name = header.Name;
        Version = header.Version;
        VersionLine = header.VersionLine;
        Labels = header.Labels;
        LabelLines = header.LabelLines;
        Description = header.Description;
        Model = header.Model;
        Inputs = header.Inputs;
        Examples = header.Examples;
        Tests = header.Tests;
        FilePath = header.FilePath;
        DisplayPath = header.DisplayPath;
        _sections = sections;
        _options = options;
    }

    /// <summary>Gets the name (<c>name:</c>, else the file name without <c>.prompt.md</c>).</summary>
    public string Name { get; }

    /// <summary>Gets the version (<c>version:</c>, default 1).</summary>
    public int Version { get; }

    /// <summary>Gets the movable labels that name this version (<c>labels: [production]</c>).</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Gets what the prompt is for.</summary>
    public string? Description { get; }

    /// <summary>Gets the model the prompt asks for (an alias or <c>provider/model</c>), when it names one.</summary>
    public string? Model { get; }

    /// <summary>Gets the declared inputs, in file order.</summary>
    public IReadOnlyList<PromptInput> Inputs { get; }

    /// <summary>Gets the few-shot examples, in file order.</summary>
    public IReadOnlyList<PromptExample> Examples { get; }

    /// <summary>Gets the tests, in file order.</summary>
    public IReadOnlyList<PromptTest> Tests { get; }

    /// <summary>Gets the full path of the file.</summary>
    public string FilePath { get; }

    /// <summary>Gets the roles of the body's sections, in file order.</summary>
    public IReadOnlyList<ChatRole> Sections => [.. _sections.Select(section => section.Role)];

    /// <summary>Gets the reference to this exact version, <c>name@version</c>.</summary>
    public string Reference => $"{Name}@{Version}";

    internal int VersionLine { get; }

    /// <summary>Gets the path as errors name it (relative to the current directory when under it), as load-time errors do.</summary>
    internal string DisplayPath { get; }

    internal IReadOnlyList<int> LabelLines { get; }

    /// <summary>
    /// Creates a new <see cref="ChatOptions"/> with what the front matter sets (model, temperature, output limit, …),
    /// tagged with the prompt's name and version, without rendering (<see cref="RenderedPrompt.Options"/> is the same).
    /// </summary>
    public ChatOptions CreateOptions() => _options().WithPrompt(Name, Version);

    /// <summary>
    /// Renders the prompt. Inputs not given take their default; a section that renders to nothing (all of it inside an
    /// <c>{{#if}}</c> that is false) is left out.
    /// </summary>
    /// <param name="variables">Input values by name: text (parsed to the input's type, as a command-line value is), or typed values (<see cref="bool"/>, numbers, lists, dictionaries, <see cref="System.Text.Json.JsonElement"/>).</param>
    /// <exception cref="PromptException">An input is required and missing, unknown, or of the wrong type; <see cref="PromptException.Input"/> names it.</exception>
    public RenderedPrompt Render(IReadOnlyDictionary<string, object?>? variables = null)
    {
        IReadOnlyDictionary<string, object?> values = Bind(variables ?? new Dictionary<string, object?>(), DisplayPath);
        var messages = new List<ChatMessage>(_sections.Count + (2 * Examples.Count));
        foreach (PromptSection section in _sections)
        {
            string text = section.Render(values).Trim();
            if (text.Length > 0)
            {
                messages.Add(new ChatMessage(section.Role, text));
            }
        }

        if (Examples.Count > 0)
        {
            int lastUser = messages.FindLastIndex(message => message.Role == ChatRole.User);
            int at = lastUser >= 0 ? lastUser : messages.Count;
            messages.InsertRange(at, Examples.SelectMany(example => new[] { new ChatMessage(ChatRole.User, example.User.TrimEnd()), new ChatMessage(ChatRole.Assistant, example.Assistant.TrimEnd()) }));
        }

        return new RenderedPrompt(this, messages, CreateOptions(), values);
    }

    /// <summary>Checks and converts input values, filling in defaults.</summary>
    internal IReadOnlyDictionary<string, object?> Bind(IReadOnlyDictionary<string, object?> variables, string? file, int? line = null)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string name, object? value) in variables)
        {
            PromptInput input = Inputs.FirstOrDefault(candidate => string.Equals(candidate.Name, name, StringComparison.Ordinal))
                ?? throw Unknown(name, file, line);
            if (!input.TryConvert(value, out object? converted, out string? error))
            {
                throw new PromptException($"input '{name}' of {Reference} {error}.", file, line, name);
            }

            values[name] = converted;
        }

        foreach (PromptInput input in Inputs)
        {
            if (values.ContainsKey(input.Name))
            {
                continue;
            }

            if (input.Default is not null)
            {
                values[input.Name] = input.Default;
            }
            else if (input.Required)
            {
                throw new PromptException($"input '{input.Name}' of {Reference} is required and was not given; pass it (on the command line: --var {input.Name}=VALUE).", file, line, input.Name);
            }
            else
            {
                values[input.Name] = null;
            }
        }

        return values;
    }

    private PromptException Unknown(string name, string? file, int? line)
    {
        string[] names = [.. Inputs.Select(input => input.Name)];
        string hint = KeySuggestion.Nearest(name, names) is { } near ? $" Did you mean '{near}'?" : "";
        string known = names.Length == 0 ? "it declares no inputs" : $"its inputs are {string.Join(", ", names)}";
        return new PromptException($"{Reference} has no input '{name}'; {known}.{hint}", file, line, name);
    }
}
