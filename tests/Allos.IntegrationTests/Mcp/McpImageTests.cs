using System.Text.Json;
using System.Text.RegularExpressions;
using Allos.Agents;
using Allos.Mcp;
using Allos.Tools;

namespace Allos.IntegrationTests.Mcp;

/// <summary>An MCP tool's picture reaches the model as a picture: server-everything's get-tiny-image in a real agent turn.</summary>
public sealed partial class McpImageTests : IAsyncLifetime
{
    private FakeProviderServer _server = null!;
    private McpServers _mcp = null!;
    private readonly ToolRegistry _tools = new();

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _mcp = new McpServers([McpPeers.Everything()]);
        await _mcp.AddToolsAsync(_tools, ["mcp__everything"]);
    }

    public async Task DisposeAsync()
    {
        await _mcp.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task RunAsync_GetTinyImage_TheNextAnthropicRequestCarriesTheServersImage()
    {
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("toolu_1", "mcp__everything__get-tiny-image", "{}")), FakeTurn.Text("The MCP logo."));
        var runner = new AgentRunner(
            new AgentDefinition { Name = "agent", Model = "anthropic/claude-sonnet-4-5", Tools = ["mcp__everything"] },
            new AgentRunnerOptions { ChatClientFactory = id => _server.CreateClient(id), Tools = _tools, Autonomy = AutonomyLevel.Autonomous });

        RunResult result = await runner.RunAsync("Show me the logo.");

        result.Status.ShouldBe(RunStatus.Completed);
        JsonElement toolResult = _server.Requests[1].Json.GetProperty("messages")[2].GetProperty("content")[0];
        toolResult.GetProperty("type").GetString().ShouldBe("tool_result");
        toolResult.GetProperty("tool_use_id").GetString().ShouldBe("toolu_1");
        JsonElement[] blocks = [.. toolResult.GetProperty("content").EnumerateArray()];
        blocks.Length.ShouldBe(3);
        blocks[0].GetProperty("text").GetString().ShouldBe("Here's the image you requested:");
        blocks[1].GetProperty("type").GetString().ShouldBe("image");
        JsonElement source = blocks[1].GetProperty("source");
        source.GetProperty("type").GetString().ShouldBe("base64");
        source.GetProperty("media_type").GetString().ShouldBe("image/png");
        source.GetProperty("data").GetString().ShouldBe(ServerImage());
        blocks[2].GetProperty("text").GetString().ShouldBe("The image above is the MCP logo.");
    }

    /// <summary>The base64 PNG that server-everything's get-tiny-image returns, read from the installed package itself.</summary>
    private static string ServerImage()
    {
        string tool = Path.Combine(Path.GetDirectoryName(McpPeers.NpmServer("server-everything"))!, "tools", "get-tiny-image.js");
        Match match = TinyImage().Match(File.ReadAllText(tool));
        match.Success.ShouldBeTrue($"{tool} no longer defines MCP_TINY_IMAGE; update this test for the installed server-everything.");
        return match.Groups[1].Value;
    }

    [GeneratedRegex("MCP_TINY_IMAGE = \"([A-Za-z0-9+/=]+)\"")]
    private static partial Regex TinyImage();
}
