using System.CommandLine;
using System.Text.Json;
using Allos.Cli.Hosting;
using Allos.Cli.Output;
using Allos.Cli.Prompts;
using Allos.Cli.Settings;
using Allos.Mcp;
using Allos.Prompts;
using Microsoft.Extensions.AI;

namespace Allos.Cli.Commands;

/// <summary>
/// <c>allos prompts test [REF] [-m MODEL] [--json]</c>: each test's vars rendered and sent to the model (through the
/// Router, as <c>run</c> sends), the answer checked against the test's expectations. Exit 0 when every test passes, 1 when one fails.
/// </summary>
internal static class PromptsTestCommand
{
    public static Command Create()
    {
        var reference = new Argument<string?>("ref") { HelpName = "REF", Arity = ArgumentArity.ZeroOrOne, Description = "Test only this prompt (name = its highest version, name@3, name@label); without it, the highest and the labelled versions of every prompt" };
        var model = new Option<string?>("--model", "-m") { HelpName = "MODEL", Description = "Model for every test (default: each prompt's model:, else the default model)" };
        var json = new Option<bool>("--json") { Description = "Print exactly one JSON object with each test's result" };
        var command = new Command("test", "Run the prompts' tests against the model; exit 1 when any fails") { reference, model, json };
        command.SetAction((result, cancellationToken) => ExecuteAsync(result.GetValue(reference), result.GetValue(model), result.GetValue(json)));
        return command;
    }

    private sealed record TestResult(PromptTemplate Template, PromptTest Test, string Model, string? Answer, IReadOnlyList<string> Failures);

    private static async Task<int> ExecuteAsync(string? reference, string? modelFlag, bool json)
    {
        var console = new CliConsole();
        if (reference is not null && McpServers.IsPromptName(reference))
        {
            // Tests live in a prompt file's front matter; an MCP prompt has none. The server is asked, so a typo is still an error.
            return await McpPromptCatalog.UseAsync(reference, prompt =>
            {
                if (json)
                {
                    WriteJson(console.Out, [], [prompt.Name]);
                }
                else
                {
                    console.Out.WriteLine($"- {prompt.Name}: no tests (an MCP server's prompt carries none; tests live in prompt files' front matter)");
                }

                return Task.FromResult(ExitCodes.Success);
            }, CancellationToken.None);
        }

        PromptLibrary library = ProjectPrompts.Load(console);
        PromptTemplate[] templates = reference is null ? [.. InUse(library)] : [library.Get(reference)];
        PromptTemplate[] tested = [.. templates.Where(template => template.Tests.Count > 0)];

        var results = new List<TestResult>();
        if (tested.Length > 0)
        {
            // When every prompt names its model the default model is never used, so none needs to be configured.
            string? model = modelFlag ?? (tested.All(template => template.Model is not null) ? tested[0].Model : null);
            CliSettings settings = CliSettings.Load(new RunRequest { Model = model, Quiet = json });
            using var interrupts = new Interrupts();
            await using AgentHost host = await AgentHost.OpenAsync(settings, null, interrupts.Token);
            foreach (PromptTemplate template in tested)
            {
                foreach (PromptTest test in template.Tests)
                {
                    TestResult outcome = await RunAsync(host, template, test, modelFlag ?? template.Model ?? settings.Model, interrupts.Token);
                    results.Add(outcome);
                    if (!json)
                    {
                        console.Out.WriteLine(Line(outcome));
                    }
                }
            }
        }

        PromptTemplate[] untested = [.. templates.Where(template => template.Tests.Count == 0)];
        int failed = results.Count(outcome => outcome.Failures.Count > 0);
        if (json)
        {
            WriteJson(console.Out, results, untested.Select(template => template.Reference));
        }
        else
        {
            foreach (PromptTemplate template in untested)
            {
                console.Out.WriteLine($"- {template.Reference}: no tests");
            }

            console.Out.WriteLine(results.Count == 0
                ? "no tests to run: add tests: to a prompt's front matter (`allos prompts new NAME` shows how)."
                : $"{results.Count} test{(results.Count == 1 ? "" : "s")}: {results.Count - failed} passed, {failed} failed");
        }

        return failed > 0 ? ExitCodes.Failed : ExitCodes.Success;
    }

    /// <summary>Without a reference: each prompt's highest version, and every version a label names (those are the ones in use).</summary>
    private static IEnumerable<PromptTemplate> InUse(PromptLibrary library) =>
        library.Names.SelectMany(name =>
        {
            IReadOnlyList<PromptTemplate> versions = library.Versions(name);
            return versions.Where(version => version == versions[^1] || version.Labels.Count > 0);
        });

    private static async Task<TestResult> RunAsync(AgentHost host, PromptTemplate template, PromptTest test, string model, CancellationToken cancellationToken)
    {
        try
        {
            RenderedPrompt rendered = template.Render(test.Variables);
            ChatOptions options = rendered.Options;

            // The Router's client for the model decides it; the front matter's model: is what chose that client.
            options.ModelId = null;
            ChatResponse response = await host.Router.For(model).GetResponseAsync(rendered.Messages, options, cancellationToken);
            return new TestResult(template, test, model, response.Text, test.Check(response.Text));
        }
        catch (Exception ex) when (ex is AllosException or IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // A provider error fails this test only; the others still run.
            return new TestResult(template, test, model, null, [$"the model call failed: {ErrorReport.Message(ex).ReplaceLineEndings(" ")}"]);
        }
    }

    private static string Line(TestResult outcome)
    {
        string name = $"{outcome.Template.Reference} #{outcome.Test.Index}{(outcome.Test.Name is { } test ? $" ({test})" : "")}";
        return outcome.Failures.Count == 0 ? $"✓ {name}" : $"✗ {name}: {string.Join("; ", outcome.Failures)}";
    }

    private static void WriteJson(TextWriter output, List<TestResult> results, IEnumerable<string> untested)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, PromptsCommand.Readable))
        {
            json.WriteStartObject();
            json.WriteNumber("passed", results.Count(outcome => outcome.Failures.Count == 0));
            json.WriteNumber("failed", results.Count(outcome => outcome.Failures.Count > 0));
            json.WriteStartArray("tests");
            foreach (TestResult outcome in results)
            {
                json.WriteStartObject();
                json.WriteString("prompt", outcome.Template.Name);
                json.WriteNumber("version", outcome.Template.Version);
                json.WriteNumber("test", outcome.Test.Index);
                PromptsCommand.WriteNullable(json, "name", outcome.Test.Name);
                json.WriteString("model", outcome.Model);
                json.WriteBoolean("passed", outcome.Failures.Count == 0);
                json.WriteStartArray("failures");
                foreach (string failure in outcome.Failures)
                {
                    json.WriteStringValue(failure);
                }

                json.WriteEndArray();
                PromptsCommand.WriteNullable(json, "answer", outcome.Answer);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("untested");
            foreach (string untestedReference in untested)
            {
                json.WriteStringValue(untestedReference);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
