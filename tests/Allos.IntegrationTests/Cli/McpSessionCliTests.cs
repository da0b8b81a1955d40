using Allos.IntegrationTests.Mcp;

namespace Allos.IntegrationTests.Cli;

/// <summary>What the CLI tells its MCP servers about the session: the real CLI, the fault server and the fake model.</summary>
public sealed class McpSessionCliTests : FakeServerCliTests
{
    [Fact]
    public async Task Run_ServerAsksForRoots_GetsTheCliWorkspace()
    {
        WriteConfig();
        Server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_1", "mcp__faults__roots", "{}")), FakeTurn.Text("Listed."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__faults", "Where do you work?");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests[1].Body.ShouldContain(new Uri(Cli.Workspace).AbsoluteUri, customMessage: "the server's roots/list is answered with the workspace");
    }

    private void WriteConfig() => File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $$"""
        mcp_servers:
          faults: { command: dotnet, args: ["{{McpPeers.FaultServerPath}}"] }
        """);
}
