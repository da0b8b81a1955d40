using System.CommandLine;
using System.Text.Json;
using Allos.Cli.Prompts;
using Allos.Cli.Settings;
using Allos.Mcp;
using Allos.Prompts;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Commands;

/// <summary><c>allos prompts render REF --var k=v … [--var-file F] [--json]</c>: the messages and options a prompt sends, without sending them.</summary>
internal static class PromptsRenderCommand
{
    public static Command Create()
    {
        Argument<string> reference = PromptsCommand.Reference("The prompt: name (its highest version), name@3 or name@label");
        var variables = new VariableFlags();
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object: name, version, model, options, messages" };
        var command = new Command("render", "Print the messages a prompt sends with these inputs (nothing is sent)") { reference, json };
        variables.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            var console = new CliConsole();
            string name = result.GetValue(reference)!;
            if (McpServers.IsPromptName(name))
            {
                IReadOnlyDictionary<string, object?> values = variables.Read(result);
                return await McpPromptCatalog.UseAsync(name, async prompt =>
                {
                    IReadOnlyList<ChatMessage> messages = await prompt.RenderAsync(values, cancellationToken);
                    if (result.GetValue(json))
                    {
                        WriteJson(console.Out, prompt.Name, null, null, null, messages);
                        return ExitCodes.Success;
                    }

                    console.Error.WriteLine($"{prompt.Name}  MCP server '{prompt.Server}'");
                    WriteMessages(console.Out, messages);
                    return ExitCodes.Success;
                }, cancellationToken);
            }

            PromptTemplate template = ProjectPrompts.Load(console).Get(name);
            RenderedPrompt rendered = template.Render(variables.Read(result));
            if (result.GetValue(json))
            {
                WriteJson(console.Out, rendered.Name, rendered.Version, rendered.Template.Model, rendered.Options, [.. rendered.Messages]);
                return ExitCodes.Success;
            }

            console.Error.WriteLine($"{rendered.Template.Reference}  model {rendered.Template.Model ?? "(the default)"}{(PromptOptionsView.Describe(rendered.Options) is { } options ? "  " + options : "")}");
            WriteMessages(console.Out, [.. rendered.Messages]);
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteMessages(TextWriter output, IReadOnlyList<ChatMessage> messages)
    {
        for (int i = 0; i < messages.Count; i++)
        {
            if (i > 0)
            {
                output.WriteLine();
            }

            output.WriteLine($"{messages[i].Role.Value}:");
            output.WriteLine(Content(messages[i]));
        }
    }

    /// <summary>A message's text, with a line for each image (an MCP prompt's) where it is.</summary>
    private static string Content(ChatMessage message) => string.Join("\n\n", message.Contents.Select(content => content switch
    {
        TextContent text => text.Text,
        DataContent data => $"[{data.MediaType}, {data.Data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes]",
        _ => $"[{content.GetType().Name}]",
    }));

    /// <param name="output">Standard output.</param>
    /// <param name="name">The prompt's name.</param>
    /// <param name="version">Its version; <see langword="null"/> for an MCP prompt, which has none.</param>
    /// <param name="model">The model it asks for.</param>
    /// <param name="options">What its front matter sets; <see langword="null"/> for an MCP prompt.</param>
    /// <param name="messages">The rendered messages.</param>
    private static void WriteJson(TextWriter output, string name, int? version, string? model, ChatOptions? options, IReadOnlyList<ChatMessage> messages)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, PromptsCommand.Readable))
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            if (version is int number)
            {
                json.WriteNumber("version", number);
            }
            else
            {
                json.WriteNull("version");
            }

            PromptsCommand.WriteNullable(json, "model", model);
            json.WritePropertyName("options");
            if (options is null)
            {
                json.WriteStartObject();
                json.WriteEndObject();
            }
            else
            {
                PromptOptionsView.Write(json, options);
            }

            json.WriteStartArray("messages");
            foreach (ChatMessage message in messages)
            {
                json.WriteStartObject();
                json.WriteString("role", message.Role.Value);
                json.WriteString("content", Content(message));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
