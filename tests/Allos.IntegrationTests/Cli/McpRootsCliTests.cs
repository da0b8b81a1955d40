using Allos.IntegrationTests.Mcp;

namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos mcp list/tools</c> tell the servers the current folder is their root, as a run tells them its workspace.</summary>
public sealed class McpRootsCliTests : FakeServerCliTests
{
    [Fact]
    public async Task McpTools_ServerAsksForRoots_GetsTheCurrentFolder()
    {
        File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $$"""
            mcp_servers:
              faults: { command: dotnet, args: ["{{McpPeers.FaultServerPath}}", roots-listed] }
            """ + "\n");

        CliResult tools = await Cli.RunAsync("mcp", "tools", "faults");

        tools.ExitCode.ShouldBe(0, tools.ToString());
        string line = tools.Stdout.Split('\n').First(line => line.Contains("mcp__faults__rooted", StringComparison.Ordinal));
        line.ShouldContain($"roots: {Path.GetFileName(Cli.Workspace)}");
    }
}
