using System.Collections.Concurrent;
using Allos.Agents;
using Allos.Mcp;
using Allos.Tools;

namespace Allos.IntegrationTests.Mcp;

/// <summary>What an MCP call tells its server and hears back while it runs: cancellation and progress, against the fault server.</summary>
public sealed class McpSessionTests
{
    [Fact]
    public async Task Tool_CancelledByTheCaller_TheServerObservesTheCancellation()
    {
        await using var servers = new McpServers([McpPeers.Faults()]);
        McpServerStatus status = await servers.ConnectAsync("faults");
        Tool slow = status.Tools.Single(tool => tool.Name == "mcp__faults__slow");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        await Should.ThrowAsync<OperationCanceledException>(async () => await slow.InvokeAsync(new AIFunctionArguments { ["seconds"] = 30 }, cancel.Token));

        (await CancelledOnTheServerAsync(status)).ShouldBe("1", "the client sent notifications/cancelled and the server's call was cancelled");
    }

    [Fact]
    public async Task Tool_TimedOut_TheServerObservesTheCancellation()
    {
        McpServerOptions options = McpPeers.Faults();
        await using var servers = new McpServers([options]);
        McpServerStatus status = await servers.ConnectAsync("faults");
        Tool slow = status.Tools.Single(tool => tool.Name == "mcp__faults__slow");
        // Shortened only now: starting the fault server on a loaded machine can take longer than the call's timeout.
        options.Timeout = TimeSpan.FromSeconds(2);

        await Should.ThrowAsync<ToolException>(async () => await slow.InvokeAsync(new AIFunctionArguments { ["seconds"] = 30 }));

        (await CancelledOnTheServerAsync(status)).ShouldBe("1", "an abandoned call is cancelled on the server too");
    }

    [Fact]
    public async Task Tool_ServerReportsProgress_ReachesTheToolContextsProgress()
    {
        await using var servers = new McpServers([McpPeers.Faults()]);
        McpServerStatus status = await servers.ConnectAsync("faults");
        Tool progress = status.Tools.Single(tool => tool.Name == "mcp__faults__progress");
        var reports = new Reports();
        var context = new ToolContext { CallId = "c1", ToolName = progress.Name, Workspace = new Workspace(Path.GetTempPath()), Progress = reports };

        object? result = await progress.InvokeAsync(new AIFunctionArguments { ["steps"] = 3, Context = new Dictionary<object, object?> { [typeof(ToolContext)] = context } });

        result.ShouldBe("finished 3 steps");
        await WaitForAsync(() => reports.Received.Count >= 3);
        reports.Received.ShouldBe([new ToolProgress(1, 3, "step 1 of 3"), new ToolProgress(2, 3, "step 2 of 3"), new ToolProgress(3, 3, "step 3 of 3")]);
    }

    [Fact]
    public async Task RunStreamingAsync_McpToolReportsProgress_StreamsToolCallProgressEventsBeforeTheCallCompletes()
    {
        await using FakeProviderServer provider = await FakeProviderServer.StartAsync();
        await using var servers = new McpServers([McpPeers.Faults()]);
        var tools = new ToolRegistry();
        await servers.AddToolsAsync(tools, ["mcp__faults"]);
        provider.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("c1", "mcp__faults__progress", """{"steps":4}""")), FakeTurn.Text("Done."));
        var runner = new AgentRunner(
            new AgentDefinition { Name = "agent", Model = "openai/gpt-4o-mini", Tools = ["mcp__faults"] },
            new AgentRunnerOptions { ChatClientFactory = id => provider.CreateClient(id), Tools = tools, Autonomy = AutonomyLevel.Autonomous });

        var events = new List<RunEvent>();
        await foreach (RunEvent e in runner.RunStreamingAsync("go"))
        {
            events.Add(e);
        }

        ToolCallProgressEvent[] progress = [.. events.OfType<ToolCallProgressEvent>()];
        progress.ShouldNotBeEmpty();
        progress.ShouldAllBe(e => e.CallId == "c1" && e.ToolName == "mcp__faults__progress" && e.Progress.Total == 4);
        progress[0].Progress.Message.ShouldBe("step 1 of 4");
        events.IndexOf(progress[^1]).ShouldBeLessThan(events.FindIndex(e => e is ToolCallCompletedEvent));
        provider.Requests[1].Body.ShouldContain("finished 4 steps");
    }

    [Fact]
    public async Task Tool_ServerAsksForRoots_GetsTheWorkspaceAsAFileUri()
    {
        string folder = Directory.CreateTempSubdirectory("allos roots ").FullName;
        try
        {
            await using var servers = new McpServers([McpPeers.Faults()]) { Root = folder };
            McpServerStatus status = await servers.ConnectAsync("faults");

            string text = (string)(await status.Tools.Single(tool => tool.Name == "mcp__faults__roots").InvokeAsync())!;

            text.ShouldBe($"{Path.GetFileName(folder)}=file://{folder.Replace(" ", "%20", StringComparison.Ordinal)}");
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    [Fact]
    public async Task Tool_HttpSessionExpired_IsInitializedAgainAndTheCallRetriedOnce()
    {
        await using SessionDroppingMcpServer http = await SessionDroppingMcpServer.StartAsync();
        await using var servers = new McpServers([new McpServerOptions { Name = "remote", Url = http.Endpoint, Timeout = TimeSpan.FromSeconds(10) }]);
        McpServerStatus status = await servers.ConnectAsync("remote");
        status.Connected.ShouldBeTrue(status.Error);
        Tool whoami = status.Tools.Single(tool => tool.Name == "mcp__remote__whoami");
        string first = (string)(await whoami.InvokeAsync())!;

        http.DropSessions();
        string second = (string)(await whoami.InvokeAsync())!;

        http.Refused.ShouldBe(["tools/call"], "the expired session was used once");
        http.Initializes.ShouldBe(2, "then the client initialized a new one");
        second.ShouldStartWith("session ");
        second.ShouldNotBe(first, "the retried call ran in the new session");
    }

    [Fact]
    public async Task ReadResource_HttpSessionExpired_IsInitializedAgainAndTheReadRetriedOnce()
    {
        await using SessionDroppingMcpServer http = await SessionDroppingMcpServer.StartAsync();
        await using var servers = new McpServers([new McpServerOptions { Name = "remote", Url = http.Endpoint, Timeout = TimeSpan.FromSeconds(10) }]);
        McpServerStatus status = await servers.ConnectAsync("remote");
        status.Connected.ShouldBeTrue(status.Error);
        Tool read = status.Tools.Single(tool => tool.Name == "mcp__remote__read_resource");
        var arguments = new AIFunctionArguments { ["uri"] = "session://whoami" };
        string first = (string)(await read.InvokeAsync(arguments))!;

        http.DropSessions();
        string second = (string)(await read.InvokeAsync(arguments))!;

        http.Refused.ShouldBe(["resources/read"], "the expired session was used once");
        http.Initializes.ShouldBe(2, "then the client initialized a new one");
        second.ShouldStartWith("session ");
        second.ShouldNotBe(first, "the retried read ran in the new session");
    }

    [Fact]
    public async Task GetPrompt_HttpSessionExpired_IsInitializedAgainAndTheRequestRetriedOnce()
    {
        await using SessionDroppingMcpServer http = await SessionDroppingMcpServer.StartAsync();
        await using var servers = new McpServers([new McpServerOptions { Name = "remote", Url = http.Endpoint, Timeout = TimeSpan.FromSeconds(10) }]);
        McpPrompt prompt = await servers.GetPromptAsync("mcp__remote__whoami");
        string first = (await prompt.RenderAsync()).Single().Text;

        http.DropSessions();
        string second = (await prompt.RenderAsync()).Single().Text;

        http.Refused.ShouldBe(["prompts/get"], "the expired session was used once");
        http.Initializes.ShouldBe(2, "then the client initialized a new one");
        second.ShouldStartWith("session ");
        second.ShouldNotBe(first, "the prompt was rendered in the new session");
    }

    [Fact]
    public async Task ReadResource_HttpServerFails_IsAToolErrorNamingTheServerAndStatus()
    {
        await using SessionDroppingMcpServer http = await SessionDroppingMcpServer.StartAsync();
        await using var servers = new McpServers([new McpServerOptions { Name = "remote", Url = http.Endpoint, Timeout = TimeSpan.FromSeconds(10) }]);
        McpServerStatus status = await servers.ConnectAsync("remote");
        status.Connected.ShouldBeTrue(status.Error);
        Tool read = status.Tools.Single(tool => tool.Name == "mcp__remote__read_resource");
        http.CallStatus = 500;

        ToolException error = await Should.ThrowAsync<ToolException>(async () => await read.InvokeAsync(new AIFunctionArguments { ["uri"] = "session://whoami" }));

        error.Message.ShouldBe("MCP server 'remote' answered the request to read 'session://whoami' with HTTP 500 InternalServerError.");
        http.Initializes.ShouldBe(1, "a server error is not an expired session: no new one");
    }

    [Fact]
    public async Task Tool_HttpServerFailsTheCall_IsAToolErrorNamingTheServerAndStatus()
    {
        await using SessionDroppingMcpServer http = await SessionDroppingMcpServer.StartAsync();
        await using var servers = new McpServers([new McpServerOptions { Name = "remote", Url = http.Endpoint, Timeout = TimeSpan.FromSeconds(10) }]);
        McpServerStatus status = await servers.ConnectAsync("remote");
        status.Connected.ShouldBeTrue(status.Error);
        Tool whoami = status.Tools.Single(tool => tool.Name == "mcp__remote__whoami");
        http.CallStatus = 500;

        ToolException error = await Should.ThrowAsync<ToolException>(async () => await whoami.InvokeAsync());

        error.Message.ShouldContain("MCP server 'remote'");
        error.Message.ShouldContain("500");
        http.Initializes.ShouldBe(1, "a server error is not an expired session: no new one");
    }

    private static async Task<string?> CancelledOnTheServerAsync(McpServerStatus status)
    {
        // notifications/cancelled is fire-and-forget: give the server a moment to act on it.
        Tool cancelled = status.Tools.Single(tool => tool.Name == "mcp__faults__cancelled");
        string? count = null;
        for (int attempt = 0; attempt < 50 && count != "1"; attempt++)
        {
            count = (string?)await cancelled.InvokeAsync();
            if (count != "1")
            {
                await Task.Delay(100);
            }
        }

        return count;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (int attempt = 0; attempt < 50 && !condition(); attempt++)
        {
            await Task.Delay(100);
        }
    }

    private sealed class Reports : IProgress<ToolProgress>
    {
        private readonly ConcurrentQueue<ToolProgress> _received = new();

        public IReadOnlyList<ToolProgress> Received => [.. _received];

        public void Report(ToolProgress value) => _received.Enqueue(value);
    }
}
