using Allos.Mcp;
using Allos.Tools;

namespace Allos.IntegrationTests.Mcp;

/// <summary>A server's resources as the tools <c>list_resources</c> and <c>read_resource</c>, against server-everything.</summary>
public sealed class McpResourceFunctionTests : IAsyncLifetime
{
    private readonly McpServers _everything = new([McpPeers.Everything()]);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _everything.DisposeAsync();

    [Fact]
    public async Task ConnectAsync_ServerWithResources_AddsTheTwoResourceToolsAllowedInItsGroup()
    {
        var registry = new ToolRegistry();

        await _everything.AddToolsAsync(registry, ["mcp__everything"]);

        registry.TryGet("mcp__everything__list_resources", out Tool list).ShouldBeTrue();
        registry.TryGet("mcp__everything__read_resource", out Tool read).ShouldBeTrue();
        list.Permission.ShouldBe(ToolPermission.Allow, "reading needs no approval");
        read.Permission.ShouldBe(ToolPermission.Allow);
        read.JsonSchema.GetProperty("required")[0].GetString().ShouldBe("uri");
        registry.Resolve(["mcp__everything"]).Select(tool => tool.Name).ShouldContain("mcp__everything__read_resource");
    }

    [Fact]
    public async Task ConnectAsync_ServerWithoutResources_HasNoResourceTools()
    {
        await using var servers = new McpServers([McpPeers.Faults()]);

        McpServerStatus status = await servers.ConnectAsync("faults");

        status.Connected.ShouldBeTrue(status.Error);
        status.Tools.Select(tool => tool.Name).ShouldNotContain("mcp__faults__list_resources");
    }

    [Fact]
    public async Task ConnectAsync_ExcludedResourceTool_IsLeftOut()
    {
        McpServerOptions options = McpPeers.Everything();
        options.Exclude.Add("read_resource");
        await using var servers = new McpServers([options]);

        McpServerStatus status = await servers.ConnectAsync("everything");

        status.Tools.Select(tool => tool.Name).ShouldContain("mcp__everything__list_resources");
        status.Tools.Select(tool => tool.Name).ShouldNotContain("mcp__everything__read_resource");
    }

    [Fact]
    public async Task ListResources_Everything_GivesItsResourcesAndTemplates()
    {
        Tool list = await ToolAsync("mcp__everything__list_resources");

        string text = (string)(await list.InvokeAsync())!;

        text.ShouldContain("demo://resource/static/document/architecture.md (architecture.md, text/markdown)");
        text.ShouldContain("demo://resource/dynamic/text/{resourceId}");
    }

    [Fact]
    public async Task ReadResource_TextAndBlob_TextAsItIsBinaryDescribed()
    {
        Tool read = await ToolAsync("mcp__everything__read_resource");

        string text = (string)(await read.InvokeAsync(new AIFunctionArguments { ["uri"] = "demo://resource/dynamic/text/7" }))!;
        string blob = (string)(await read.InvokeAsync(new AIFunctionArguments { ["uri"] = "demo://resource/dynamic/blob/7" }))!;

        text.ShouldStartWith("Resource 7: This is a plaintext resource");
        blob.ShouldStartWith("[binary resource demo://resource/dynamic/blob/7: text/plain, ");
        blob.ShouldContain("bytes");
        blob.ShouldNotContain("base64 blob", customMessage: "the bytes are described, not sent");
    }

    [Fact]
    public async Task ReadResource_UnknownUri_IsAToolErrorNamingTheServerAndUri()
    {
        Tool read = await ToolAsync("mcp__everything__read_resource");

        ToolException error = await Should.ThrowAsync<ToolException>(async () => await read.InvokeAsync(new AIFunctionArguments { ["uri"] = "demo://resource/static/document/no-such.md" }));

        error.Message.ShouldContain("MCP server 'everything' could not read 'demo://resource/static/document/no-such.md'");
    }

    private async Task<Tool> ToolAsync(string name)
    {
        McpServerStatus status = await _everything.ConnectAsync("everything");
        status.Connected.ShouldBeTrue(status.Error);
        return status.Tools.Single(tool => tool.Name == name);
    }
}
