using Allos.Mcp;
using Allos.Tools;

namespace Allos.IntegrationTests.Mcp;

/// <summary>The MCP client against real servers: the npm reference servers and the in-repo fault server.</summary>
public sealed class McpServersTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allos-mcp-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ConnectAsync_Everything_ListsItsToolsWithPermissionsFromTheirAnnotations()
    {
        await using var servers = new McpServers([McpPeers.Everything()]);

        McpServerStatus status = await servers.ConnectAsync("everything");

        status.Connected.ShouldBeTrue(status.Error);
        Tool echo = status.Tools.Single(tool => tool.Name == "mcp__everything__echo");
        echo.Description.ShouldBe("Echoes back the input string");
        echo.JsonSchema.GetProperty("properties").TryGetProperty("message", out _).ShouldBeTrue();
        echo.Permission.ShouldBe(ToolPermission.Allow, "echo is readOnlyHint and not openWorldHint");
        status.Tools.Single(tool => tool.Name == "mcp__everything__toggle-subscriber-updates").Permission.ShouldBe(ToolPermission.Ask, "not read-only");
    }

    [Fact]
    public async Task Tool_EverythingEchoAndSum_ReturnTheServersRealResults()
    {
        await using var servers = new McpServers([McpPeers.Everything()]);
        var registry = new ToolRegistry();
        await servers.AddToolsAsync(registry, ["mcp__everything"]);

        registry.TryGet("mcp__everything__echo", out Tool echo).ShouldBeTrue();
        (await echo.InvokeAsync(new AIFunctionArguments { ["message"] = "hello mcp" })).ShouldBe("Echo: hello mcp");
        registry.TryGet("mcp__everything__get-sum", out Tool sum).ShouldBeTrue();
        ((string)(await sum.InvokeAsync(new AIFunctionArguments { ["a"] = 2, ["b"] = 40 }))!).ShouldContain("42");
        registry.Resolve(["mcp"]).Count.ShouldBe(registry.Resolve(["mcp__everything"]).Count);
    }

    [Fact]
    public async Task Tool_EverythingStructuredContent_ReachesTheText()
    {
        await using var servers = new McpServers([McpPeers.Everything()]);
        McpServerStatus status = await servers.ConnectAsync("everything");
        Tool structured = status.Tools.Single(tool => tool.Name == "mcp__everything__get-structured-content");

        string text = (string)(await structured.InvokeAsync(new AIFunctionArguments { ["location"] = "New York" }))!;

        text.ShouldContain("temperature");
    }

    [Fact]
    public async Task Tool_FilesystemInATempFolder_ReadsAndWritesThere()
    {
        File.WriteAllText(Path.Combine(_folder, "note.txt"), "written by the test");
        await using var servers = new McpServers([McpPeers.Filesystem(_folder)]);
        McpServerStatus status = await servers.ConnectAsync("files");
        status.Connected.ShouldBeTrue(status.Error);

        Tool read = status.Tools.Single(tool => tool.Name == "mcp__files__read_text_file");
        string text = (string)(await read.InvokeAsync(new AIFunctionArguments { ["path"] = Path.Combine(_folder, "note.txt") }))!;
        text.ShouldContain("written by the test");

        Tool write = status.Tools.Single(tool => tool.Name == "mcp__files__write_file");
        write.Permission.ShouldBe(ToolPermission.Ask);
        await write.InvokeAsync(new AIFunctionArguments { ["path"] = Path.Combine(_folder, "out.txt"), ["content"] = "from mcp" });
        File.ReadAllText(Path.Combine(_folder, "out.txt")).ShouldBe("from mcp");
    }

    [Fact]
    public async Task Tool_ServerCrashesMidCall_IsRestartedOnceThenTheErrorNamesItAndShowsItsStderr()
    {
        await using var servers = new McpServers([McpPeers.Faults()]);
        McpServerStatus status = await servers.ConnectAsync("faults");
        Tool crash = status.Tools.Single(tool => tool.Name == "mcp__faults__crash");
        Tool pid = status.Tools.Single(tool => tool.Name == "mcp__faults__pid");
        string firstPid = (string)(await pid.InvokeAsync())!;

        ToolException first = await Should.ThrowAsync<ToolException>(async () => await crash.InvokeAsync());
        first.Message.ShouldContain("MCP server 'faults' exited with code 3 during the call of 'crash'");
        first.Message.ShouldContain("started again");
        first.Message.ShouldContain("crashing on purpose");

        string secondPid = (string)(await pid.InvokeAsync())!;
        secondPid.ShouldNotBe(firstPid, "the server was started again");
        servers.Connection("faults").Starts.ShouldBe(2);

        ToolException second = await Should.ThrowAsync<ToolException>(async () => await crash.InvokeAsync());
        second.Message.ShouldContain("not started again");
        ToolException after = await Should.ThrowAsync<ToolException>(async () => await pid.InvokeAsync());
        after.Message.ShouldContain("MCP server 'faults' exited");
        after.Message.ShouldContain("fault server: crashing on purpose in the middle of a call");
        servers.Connection("faults").Starts.ShouldBe(2);
    }

    [Fact]
    public async Task Tool_SlowCall_TimesOutWithTheServersTimeout()
    {
        McpServerOptions options = McpPeers.Faults();
        await using var servers = new McpServers([options]);
        McpServerStatus status = await servers.ConnectAsync("faults");
        Tool slow = status.Tools.Single(tool => tool.Name == "mcp__faults__slow");
        // Shortened only now: starting the fault server on a loaded machine can take longer than the call's timeout.
        options.Timeout = TimeSpan.FromSeconds(2);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        ToolException error = await Should.ThrowAsync<ToolException>(async () => await slow.InvokeAsync(new AIFunctionArguments { ["seconds"] = 30 }));

        error.Message.ShouldContain("MCP server 'faults' did not answer 'slow' within 2 s");
        watch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Tool_IsErrorResult_IsAToolErrorWithTheServersText()
    {
        await using var servers = new McpServers([McpPeers.Faults()]);
        McpServerStatus status = await servers.ConnectAsync("faults");
        Tool fail = status.Tools.Single(tool => tool.Name == "mcp__faults__fail");

        ToolException error = await Should.ThrowAsync<ToolException>(async () => await fail.InvokeAsync());

        error.Message.ShouldBe("the disk quota of the fault server is exceeded");
    }

    [Fact]
    public async Task ConnectAsync_AfterToolsListChanged_ListsTheNewTool()
    {
        await using var servers = new McpServers([McpPeers.Faults()]);
        McpServerStatus before = await servers.ConnectAsync("faults");
        before.Tools.ShouldNotContain(tool => tool.Name == "mcp__faults__added");

        await before.Tools.Single(tool => tool.Name == "mcp__faults__add_tool").InvokeAsync();

        McpServerStatus after = before;
        for (int attempt = 0; attempt < 50 && !after.Tools.Any(tool => tool.Name == "mcp__faults__added"); attempt++)
        {
            await Task.Delay(100);
            after = await servers.ConnectAsync("faults");
        }

        after.Tools.ShouldContain(tool => tool.Name == "mcp__faults__added");
    }

    [Fact]
    public async Task ConnectAsync_ServerThatFailsToStart_IsReportedWithItsNameAndStderr()
    {
        await using var servers = new McpServers([McpPeers.Faults("broken", "fail-start")]);

        McpServerStatus status = await servers.ConnectAsync("broken");

        status.State.ShouldBe("failed");
        status.Tools.ShouldBeEmpty();
        status.Error.ShouldNotBeNull();
        status.Error.ShouldContain("MCP server 'broken'");
        status.Error.ShouldContain("FAULT_TOKEN is missing");
        McpServerException thrown = await Should.ThrowAsync<McpServerException>(() => servers.AddToolsAsync(new ToolRegistry(), ["mcp"]));
        thrown.Server.ShouldBe("broken");
    }

    [Fact]
    public async Task ConnectAsync_CommandThatDoesNotExist_IsReportedWithItsName()
    {
        await using var servers = new McpServers([new McpServerOptions { Name = "ghost", Command = "no-such-program-allos-test" }]);

        McpServerStatus status = await servers.ConnectAsync("ghost");

        status.State.ShouldBe("failed");
        status.Error!.ShouldContain("MCP server 'ghost' failed to start");
    }

    [Fact]
    public async Task ConnectAsync_FaultServerAnnotations_GivePermissionsAndConfigurationWins()
    {
        McpServerOptions plain = McpPeers.Faults();
        McpServerOptions configured = McpPeers.Faults("configured");
        configured.Approval = ToolPermission.Allow;
        configured.ToolApprovals["echo"] = ToolPermission.Deny;
        configured.Exclude.Add("crash");
        await using var servers = new McpServers([plain, configured]);

        McpServerStatus status = await servers.ConnectAsync("faults");
        McpServerStatus overridden = await servers.ConnectAsync("configured");

        Permission(status, "echo").ShouldBe(ToolPermission.Allow);
        Permission(status, "delete_everything").ShouldBe(ToolPermission.Ask, "destructiveHint");
        Permission(status, "fetch").ShouldBe(ToolPermission.Ask, "read-only but openWorldHint");
        Permission(status, "plain").ShouldBe(ToolPermission.Ask, "no annotations");
        Permission(overridden, "delete_everything").ShouldBe(ToolPermission.Allow, "approval: allow for the server");
        Permission(overridden, "echo").ShouldBe(ToolPermission.Deny, "the tool's own approval wins");
        overridden.Tools.ShouldNotContain(tool => tool.Name == "mcp__configured__crash");

        static ToolPermission? Permission(McpServerStatus status, string tool) =>
            status.Tools.Single(candidate => candidate.Name == $"mcp__{status.Name}__{tool}").Permission;
    }
}
