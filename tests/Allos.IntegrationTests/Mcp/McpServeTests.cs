using Allos.IntegrationTests.Cli;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Allos.IntegrationTests.Mcp;

/// <summary><c>allos mcp serve</c> (the real command) tested with the SDK's own client.</summary>
public sealed class McpServeTests : IDisposable
{
    private readonly string _workspace = Directory.CreateTempSubdirectory("allos-serve-").FullName;

    public void Dispose() => Directory.Delete(_workspace, recursive: true);

    private async Task<McpClient> ConnectAsync(params string[] flags)
    {
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "allos",
            Command = "dotnet",
            Arguments = [CliProcess.CommandPath, "mcp", "serve", "--cwd", _workspace, .. flags],
            WorkingDirectory = _workspace, // where allos.yaml is read from
            EnvironmentVariables = new Dictionary<string, string?> { ["ALLOS_HOME"] = Path.Combine(_workspace, ".home") },
        });
        return await McpClient.CreateAsync(transport);
    }

    [Fact]
    public async Task Serve_ReadOnlyByDefault_ListsAndRunsTheBuiltInToolsInTheWorkspace()
    {
        File.WriteAllText(Path.Combine(_workspace, "a.txt"), "served by allos\n");
        await using McpClient client = await ConnectAsync();

        IList<McpClientTool> tools = await client.ListToolsAsync();
        CallToolResult read = await client.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "a.txt" });
        CallToolResult outside = await client.CallToolAsync("read_file", new Dictionary<string, object?> { ["path"] = "../../etc/passwd" });

        tools.Select(tool => tool.Name).ShouldContain("read_file");
        tools.Select(tool => tool.Name).ShouldNotContain("write_file", "only read-only tools without --allow-writes");
        tools.Select(tool => tool.Name).ShouldNotContain("shell");
        tools.Single(tool => tool.Name == "read_file").ProtocolTool.Annotations!.ReadOnlyHint.ShouldBe(true);
        read.IsError.ShouldNotBe(true);
        ((TextContentBlock)read.Content.ShouldHaveSingleItem()).Text.ShouldContain("served by allos");
        outside.IsError.ShouldBe(true, "paths stay inside the workspace");
    }

    [Fact]
    public async Task Serve_AllowWrites_ServesWriteFile()
    {
        await using McpClient client = await ConnectAsync("--allow-writes", "--tools", "write_file,read_file");

        IList<McpClientTool> tools = await client.ListToolsAsync();
        CallToolResult write = await client.CallToolAsync("write_file", new Dictionary<string, object?> { ["path"] = "out.txt", ["content"] = "written over mcp" });

        tools.Select(tool => tool.Name).ShouldBe(["write_file", "read_file"], ignoreOrder: true);
        write.IsError.ShouldNotBe(true, string.Join("", write.Content.OfType<TextContentBlock>().Select(block => block.Text)));
        File.ReadAllText(Path.Combine(_workspace, "out.txt")).ShouldBe("written over mcp");
    }

    [Theory]
    [InlineData("none", true)]
    [InlineData("bwrap", false)]
    public async Task Serve_Shell_IsSandboxedAsAllosYamlSays(string sandbox, bool seesHostTmp)
    {
        // bubblewrap gives the command a private /tmp: a file the test leaves in the host's /tmp is seen only unsandboxed.
        string probe = Path.Combine(Path.GetTempPath(), $"allos-serve-probe-{Guid.NewGuid():N}");
        File.WriteAllText(probe, "host tmp");
        File.WriteAllText(Path.Combine(_workspace, "allos.yaml"), $"sandbox: {sandbox}\n");
        try
        {
            await using McpClient client = await ConnectAsync("--allow-writes", "--tools", "shell");

            CallToolResult run = await client.CallToolAsync("shell", new Dictionary<string, object?> { ["command"] = $"cat {probe} || echo missing" });

            string output = string.Join("", run.Content.OfType<TextContentBlock>().Select(block => block.Text));
            if (seesHostTmp)
            {
                output.ShouldContain("host tmp");
            }
            else
            {
                output.ShouldContain("missing");
                output.ShouldNotContain("host tmp", customMessage: "sandbox: bwrap must hide the host's /tmp (is bubblewrap installed? apt-get install bubblewrap)");
            }
        }
        finally
        {
            File.Delete(probe);
        }
    }
}
