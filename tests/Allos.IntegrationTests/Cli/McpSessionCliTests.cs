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

    [Fact]
    public async Task Run_PausedForAnMcpToolAndApprovedInANewProcess_ReconnectsTheServerAndRunsTheCall()
    {
        WriteConfig();
        Server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_1", "mcp__faults__plain", "{}")), FakeTurn.Text("Ran it."));

        CliResult stopped = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__faults", "-s", "job-mcp", "Run plain");
        // The resumed run is given its tools again: a run state does not keep its tool list (see the report).
        CliResult continued = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__faults", "-s", "job-mcp", "--approve");

        stopped.ExitCode.ShouldBe(4, stopped.ToString());
        continued.ExitCode.ShouldBe(0, continued.ToString());
        continued.Stdout.Trim().ShouldBe("Ran it.");
        Server.Requests.Count.ShouldBe(2);
        Server.Requests[1].Body.ShouldContain("no hints", customMessage: "the approved call ran on a server the new process started");
    }

    private void WriteConfig() => File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $$"""
        mcp_servers:
          faults: { command: dotnet, args: ["{{McpPeers.FaultServerPath}}"] }
        """);
}
