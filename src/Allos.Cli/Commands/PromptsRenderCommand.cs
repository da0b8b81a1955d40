using System.CommandLine;
using System.Text.Json;
using Allos.Cli.Prompts;
using Allos.Cli.Settings;
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
        command.SetAction(result =>
        {
            var console = new CliConsole();
            PromptTemplate template = ProjectPrompts.Load(console).Get(result.GetValue(reference)!);
            RenderedPrompt rendered = template.Render(variables.Read(result));
            if (result.GetValue(json))
            {
                WriteJson(console.Out, rendered);
                return ExitCodes.Success;
            }

            console.Error.WriteLine($"{rendered.Template.Reference}  model {rendered.Template.Model ?? "(the default)"}{(PromptOptionsView.Describe(rendered.Options) is { } options ? "  " + options : "")}");
            for (int i = 0; i < rendered.Messages.Count; i++)
            {
                if (i > 0)
                {
                    console.Out.WriteLine();
                }

                console.Out.WriteLine($"{rendered.Messages[i].Role.Value}:");
                console.Out.WriteLine(rendered.Messages[i].Text);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteJson(TextWriter output, RenderedPrompt rendered)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, PromptsCommand.Readable))
        {
            json.WriteStartObject();
            json.WriteString("name", rendered.Name);
            json.WriteNumber("version", rendered.Version);
            PromptsCommand.WriteNullable(json, "model", rendered.Template.Model);
            json.WritePropertyName("options");
            PromptOptionsView.Write(json, rendered.Options);
            json.WriteStartArray("messages");
            foreach (ChatMessage message in rendered.Messages)
            {
                json.WriteStartObject();
                json.WriteString("role", message.Role.Value);
                json.WriteString("content", message.Text);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
