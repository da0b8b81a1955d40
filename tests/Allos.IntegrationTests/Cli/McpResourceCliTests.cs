using System.Text.Json;
using Allos.IntegrationTests.Mcp;

namespace Allos.IntegrationTests.Cli;

/// <summary>A server's resources through the CLI: the model reads them with the resource tools; <c>mcp list --json</c> counts them.</summary>
public sealed class McpResourceCliTests : FakeServerCliTests
{
    [Fact]
    public async Task Run_ModelReadsAResourceAndAnUnknownOne_TheNextRequestCarriesTheTextAndTheToolError()
    {
        WriteEverythingConfig();
        Server.Enqueue(
            FakeTurn.ToolCalls(
                new FakeToolCall("call_1", "mcp__everything__read_resource", """{"uri":"demo://resource/dynamic/text/3"}"""),
                new FakeToolCall("call_2", "mcp__everything__read_resource", """{"uri":"demo://resource/static/document/no-such.md"}""")),
            FakeTurn.Text("Read them."));

        // Standard input is not a terminal, so a call that needed approval would stop the run with exit 4.
        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__everything", "Read the resources");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests[0].Body.ShouldContain("mcp__everything__list_resources", customMessage: "the resource tools are declared with the server's tools");
        string second = Server.Requests[1].Body;
        second.ShouldContain("Resource 3: This is a plaintext resource", customMessage: "the resource's text goes back to the model");
        second.ShouldContain("Error: MCP server \\u0027everything\\u0027 could not read", customMessage: "an unknown URI is a tool error the model reads");
        second.ShouldContain("no-such.md not found", customMessage: "with the server's reason");
    }

    [Fact]
    public async Task McpListJson_ServerWithResources_HasTheirCount()
    {
        WriteEverythingConfig();
        File.AppendAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $"\n  faults: {{ command: dotnet, args: [\"{McpPeers.FaultServerPath}\"] }}\n");

        CliResult result = await Cli.RunAsync("mcp", "list", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonElement[] servers = [.. result.Json().EnumerateArray()];
        servers[0].GetProperty("resources").GetInt32().ShouldBeGreaterThan(0);
        servers[0].GetProperty("tools").EnumerateArray().Select(tool => tool.GetString()).ShouldContain("mcp__everything__read_resource");
        servers[1].TryGetProperty("resources", out _).ShouldBeFalse("the fault server offers no resources");
    }

    private void WriteEverythingConfig() => File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $"""
        mcp_servers:
          everything: {"{"} command: node, args: ["{McpPeers.NpmServer("server-everything")}", stdio] {"}"}
        """);
}
