using System.CommandLine;
using System.Text.Json;
using Allos.Cli.Prompts;
using Allos.Mcp;
using Allos.Prompts;
using Spectre.Console;

namespace Allos.Cli.Commands;

/// <summary>
/// <c>allos prompts list | show | render | test | new</c>: the prompt templates of the project (<c>NAME.prompt.md</c>
/// under <c>./prompts/</c>, the user's <c>prompts/</c> and <c>prompts:</c> in allos.yaml), and the prompts of the
/// configured MCP servers as <c>mcp__SERVER__NAME</c>.
/// </summary>
internal static class PromptsCommand
{
    /// <summary>Prompts are full of quotes and backticks: keep them readable (the output is JSON, never HTML).</summary>
    internal static readonly JsonWriterOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var command = new Command("prompts", "Prompt templates (NAME.prompt.md, and MCP servers' prompts as mcp__SERVER__NAME): list, show, render, test, new");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(PromptsRenderCommand.Create());
        command.Subcommands.Add(PromptsTestCommand.Create());
        command.Subcommands.Add(New());
        return command;
    }

    /// <summary>The argument naming a prompt: <c>name</c>, <c>name@3</c> or <c>name@label</c>.</summary>
    public static Argument<string> Reference(string description) => new("ref") { HelpName = "REF", Description = description };

    private static Command List()
    {
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object on stdout" };
        var command = new Command("list", "Each prompt: its versions, labels (with the version each names), description and file") { json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            PromptLibrary library = ProjectPrompts.Load(console);
            IReadOnlyList<McpPrompt> mcp = await McpPromptCatalog.ListAsync(console, cancellationToken);
            if (result.GetValue(json))
            {
                WriteListJson(console.Out, library, mcp);
                return ExitCodes.Success;
            }

            if (library.Names.Count == 0 && mcp.Count == 0)
            {
                console.Error.WriteLine($"No prompts found. Put NAME.prompt.md files under ./prompts/ (`allos prompts new NAME` writes one), in {Path.Combine(AllosPaths.ConfigDirectory, "prompts")}, or in a folder listed under prompts: in allos.yaml.");
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("prompt", "versions", "labels", "description", "file");
            foreach (string name in library.Names)
            {
                IReadOnlyList<PromptTemplate> versions = library.Versions(name);
                table.AddRow(
                    Markup.Escape(name),
                    string.Join(", ", versions.Select(version => version.Version)),
                    Markup.Escape(string.Join(", ", versions.SelectMany(version => version.Labels.Select(label => $"{label}@{version.Version}")))),
                    Markup.Escape(versions[^1].Description ?? ""),
                    Markup.Escape(Display(versions[^1].FilePath)));
            }

            foreach (McpPrompt prompt in mcp)
            {
                table.AddRow(Markup.Escape(prompt.Name), "-", "", Markup.Escape(prompt.Description ?? prompt.Title ?? ""), Markup.Escape($"MCP server '{prompt.Server}'"));
            }

            console.RichOut.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteListJson(TextWriter output, PromptLibrary library, IReadOnlyList<McpPrompt> mcp)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Readable))
        {
            json.WriteStartObject();
            json.WriteStartArray("prompts");
            foreach (string name in library.Names)
            {
                IReadOnlyList<PromptTemplate> versions = library.Versions(name);
                json.WriteStartObject();
                json.WriteString("name", name);
                WriteNullable(json, "description", versions[^1].Description);
                json.WriteStartObject("labels");
                foreach (PromptTemplate version in versions)
                {
                    foreach (string label in version.Labels)
                    {
                        json.WriteNumber(label, version.Version);
                    }
                }

                json.WriteEndObject();
                json.WriteStartArray("versions");
                foreach (PromptTemplate version in versions)
                {
                    json.WriteStartObject();
                    json.WriteNumber("version", version.Version);
                    json.WriteStartArray("labels");
                    foreach (string label in version.Labels)
                    {
                        json.WriteStringValue(label);
                    }

                    json.WriteEndArray();
                    WriteNullable(json, "description", version.Description);
                    WriteNullable(json, "model", version.Model);
                    json.WriteString("file", version.FilePath);
                    json.WriteNumber("tests", version.Tests.Count);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            foreach (McpPrompt prompt in mcp)
            {
                json.WriteStartObject();
                json.WriteString("name", prompt.Name);
                WriteNullable(json, "description", prompt.Description ?? prompt.Title);
                json.WriteString("server", prompt.Server);
                json.WriteStartArray("inputs");
                foreach (PromptInput input in prompt.Inputs)
                {
                    json.WriteStartObject();
                    json.WriteString("name", input.Name);
                    json.WriteBoolean("required", input.Required);
                    WriteNullable(json, "description", input.Description);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("warnings");
            foreach (PromptWarning warning in library.Warnings)
            {
                json.WriteStringValue(warning.ToString());
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static Command Show()
    {
        Argument<string> reference = Reference("The prompt: name (its highest version), name@3 or name@label");
        var command = new Command("show", "One prompt version: its file, labels, model, options, inputs, examples, tests and body") { reference };
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            if (McpServers.IsPromptName(result.GetValue(reference)!))
            {
                return await McpPromptCatalog.UseAsync(result.GetValue(reference)!, prompt =>
                {
                    ShowMcp(console.Out, prompt);
                    return Task.FromResult(ExitCodes.Success);
                }, cancellationToken);
            }

            PromptTemplate template = ProjectPrompts.Load(console).Get(result.GetValue(reference)!);
            TextWriter output = console.Out;
            output.WriteLine($"{template.Reference}  {Display(template.FilePath)}");
            Field(output, "labels", template.Labels.Count == 0 ? "(none)" : string.Join(", ", template.Labels));
            Field(output, "description", template.Description ?? "(none)");
            Field(output, "model", template.Model ?? "(the default model)");
            Field(output, "options", PromptOptionsView.Describe(template.CreateOptions()) ?? "(none)");
            Field(output, "inputs", template.Inputs.Count == 0 ? "(none)" : "");
            WriteInputs(output, template.Inputs);

            Field(output, "examples", template.Examples.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (PromptExample example in template.Examples)
            {
                output.WriteLine($"  user: {Shorten(example.User)}");
                output.WriteLine($"  assistant: {Shorten(example.Assistant)}");
            }

            Field(output, "tests", template.Tests.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Field(output, "sections", string.Join(", ", template.Sections.Select(role => role.Value)));
            output.WriteLine();
            output.WriteLine(Body(template.FilePath).Trim('\n', '\r'));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary><c>prompts show</c> of an MCP prompt: where it comes from and its inputs (its messages are the server's, made when rendered).</summary>
    private static void ShowMcp(TextWriter output, McpPrompt prompt)
    {
        output.WriteLine($"{prompt.Name}  MCP server '{prompt.Server}', prompt '{prompt.PromptName}'");
        Field(output, "title", prompt.Title ?? "(none)");
        Field(output, "description", prompt.Description ?? "(none)");
        Field(output, "inputs", prompt.Inputs.Count == 0 ? "(none)" : "");
        WriteInputs(output, prompt.Inputs);
        output.WriteLine();
        output.WriteLine($"The server makes its messages: `allos prompts render {prompt.Name}{string.Concat(prompt.Inputs.Where(input => input.Required).Select(input => $" --var {input.Name}=…"))}` shows them.");
    }

    private static void WriteInputs(TextWriter output, IReadOnlyList<PromptInput> inputs)
    {
        int width = inputs.Count == 0 ? 0 : inputs.Max(input => input.Name.Length);
        foreach (PromptInput input in inputs)
        {
            string need = input.Required ? "required" : input.Default is { } value ? $"default {Literal(value)}" : "optional";
            output.WriteLine($"  {input.Name.PadRight(width)}  {input.TypeName,-7}  {need}{(input.Description is { } text ? "  " + text : "")}".TrimEnd());
        }
    }

    private static Command New()
    {
        var name = new Argument<string>("name") { HelpName = "NAME", Description = "The prompt's name: letters, digits, '_', '-' and '.'" };
        var command = new Command("new", "Write prompts/NAME.prompt.md, a commented skeleton to edit") { name };
        command.SetAction(result =>
        {
            var console = new CliConsole();
            string text = result.GetValue(name)!.Trim();
            if (!IsName(text))
            {
                console.Error.WriteLine($"error: '{text}' is not a usable prompt name: letters, digits, '_', '-' and '.', starting with a letter or digit (no @version: the file starts at version 1).");
                return ExitCodes.Usage;
            }

            string path = Path.Combine(Directory.GetCurrentDirectory(), "prompts", text + ".prompt.md");
            if (File.Exists(path))
            {
                console.Error.WriteLine($"error: {Display(path)} already exists; edit it, or write a new version of it under another file name with a higher version:.");
                return ExitCodes.Failed;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (var stream = new FileStream(path, FileMode.CreateNew))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(PromptSkeleton.For(text));
            }

            console.Out.WriteLine($"wrote {Display(path)}");
            console.Error.WriteLine($"next: edit it, then `allos prompts render {text} --var text=\"...\"` shows what it sends and `allos prompts test {text}` runs its test.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static bool IsName(string text)
    {
        try
        {
            return PromptReference.Parse(text) is { Version: null, Label: null } parsed && parsed.Name == text;
        }
        catch (PromptException)
        {
            return false;
        }
    }

    /// <summary>The body of a prompt file as written: everything after the front matter's closing <c>---</c>.</summary>
    private static string Body(string file)
    {
        string[] lines = File.ReadAllText(file).Split('\n');
        int close = Array.FindIndex(lines, 1, line => line.TrimEnd('\r').Trim() == "---");
        return close < 0 ? "" : string.Join('\n', lines[(close + 1)..]);
    }

    private static void Field(TextWriter output, string name, string value) => output.WriteLine($"{name + ":",-13}{value}".TrimEnd());

    /// <summary>A default as front matter would write it: <c>"plain"</c>, <c>false</c>, <c>[a, b]</c>, <c>{k: v}</c>.</summary>
    private static string Literal(object? value) => value switch
    {
        null => "null",
        string text => $"\"{text}\"",
        bool flag => flag ? "true" : "false",
        IDictionary<string, object?> fields => "{" + string.Join(", ", fields.Select(field => $"{field.Key}: {Literal(field.Value)}")) + "}",
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Literal)) + "]",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    private static string Shorten(string text)
    {
        string line = text.ReplaceLineEndings(" ");
        return line.Length <= 100 ? line : line[..99] + "…";
    }

    /// <summary>A path as the user reads it: relative to the working folder when it is under it.</summary>
    internal static string Display(string path)
    {
        string relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }

    internal static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
