using Allos.Agents;
using Allos.Storage;
using Allos.Mcp;
using Allos.Tools;

namespace Allos.IntegrationTests.Mcp;

/// <summary>MCP tools in an agent run: approvals from their annotations, and what the model reads back.</summary>
public sealed class McpAgentTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;
    private McpServers _mcp = null!;
    private readonly ToolRegistry _tools = new();

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _mcp = new McpServers([McpPeers.Faults()]);
        await _mcp.AddToolsAsync(_tools, ["mcp__faults"]);
    }

    public async Task DisposeAsync()
    {
        await _mcp.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_ToolWithoutHints_AsksAndTheRequestNamesTheServerAndTool()
    {
        _server.Enqueue(FakeTurn.ToolCalls(
            new FakeToolCall("c1", "mcp__faults__echo", """{"text":"hi"}"""),
            new FakeToolCall("c2", "mcp__faults__plain", "{}")));

        RunResult result = await Runner(AutonomyLevel.Supervised).RunAsync("go");

        result.Status.ShouldBe(RunStatus.AwaitingApproval);
        ApprovalRequest pending = result.PendingApprovals.ShouldHaveSingleItem("echo is read-only and closed-world, so it ran without asking");
        pending.ToolName.ShouldBe("mcp__faults__plain");
        pending.Reason.ShouldBe("'mcp__faults__plain' asks first: MCP server 'faults', tool 'plain'");
    }

    [Fact]
    public async Task RunAsync_IsErrorResult_GoesBackToTheModelAsAToolError()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("c1", "mcp__faults__fail", "{}")), FakeTurn.Text("It failed."));

        RunResult result = await Runner(AutonomyLevel.Autonomous).RunAsync("go");

        result.Status.ShouldBe(RunStatus.Completed);
        _server.Requests[1].Body.ShouldContain("Error: the disk quota of the fault server is exceeded");
        result.Steps.Single(step => step.Kind == RunStepKind.ToolCall).Status.ShouldBe("error");
    }

    private AgentRunner Runner(AutonomyLevel autonomy) => new(
        new AgentDefinition { Name = "agent", Model = "openai/gpt-4o-mini", Tools = ["mcp__faults"] },
        new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id), Tools = _tools, Autonomy = autonomy });
}
