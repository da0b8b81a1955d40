using System.Text.Json;

namespace Allos.IntegrationTests.Cli;

/// <summary>The MCP servers in <c>allos config show</c> (secrets masked) and the example <c>allos config init</c> writes.</summary>
public sealed class ConfigMcpServersTests : IDisposable
{
    private readonly CliProcess _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Show_McpServers_NameTransportCommandOrUrlEnabledAndSourceWithSecretsMasked()
    {
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), """
            default_model: openai/gpt-4o-mini
            mcp_servers:
              files:
                command: node
                args: [server.js, "my folder"]
                env: { FILES_TOKEN: tok-supersecret-123456 }
              docs:
                url: https://docs.example.com/mcp?key=query-secret-987
                headers: { Authorization: "Bearer header-secret-abcdef" }
                enabled: false
            """);
        File.WriteAllText(Path.Combine(_cli.Workspace, ".mcp.json"), """{"mcpServers": {"everything": {"command": "npx", "args": ["-y", "server-everything"]}}}""");

        CliResult result = await _cli.RunAsync("config", "show", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonElement mcp = result.Json().GetProperty("mcp servers");
        string files = mcp.GetProperty("files").GetString()!;
        files.ShouldStartWith("stdio · node server.js \"my folder\" · env FILES_TOKEN=tok… · enabled (from ");
        files.ShouldContain("allos.yaml");
        string docs = mcp.GetProperty("docs").GetString()!;
        docs.ShouldStartWith("http · https://docs.example.com/mcp?… · headers Authorization: Bea… · disabled (from ");
        mcp.GetProperty("everything").GetString()!.ShouldBe("stdio · npx -y server-everything · enabled (from .mcp.json)");
        foreach (string secret in (string[])["supersecret", "query-secret", "header-secret"])
        {
            result.Stdout.ShouldNotContain(secret);
            result.Stderr.ShouldNotContain(secret);
        }
    }

    [Fact]
    public async Task Show_NoMcpServers_SaysWhereToAddThem()
    {
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), "default_model: openai/gpt-4o-mini\n");

        CliResult result = await _cli.RunAsync("config", "show");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("none (add them under mcp_servers: in allos.yaml or in a .mcp.json");
    }

    [Fact]
    public async Task Init_WritesACommentedMcpServersExampleThatLoadsOnceUncommented()
    {
        (await _cli.RunAsync("config", "init")).ExitCode.ShouldBe(0);
        string[] lines = File.ReadAllLines(Path.Combine(_cli.Workspace, "allos.yaml"));
        int start = Array.IndexOf(lines, "# mcp_servers:");
        start.ShouldBeGreaterThan(0, "config init writes a commented mcp_servers: example");

        string[] example = [.. lines.Skip(start).TakeWhile(line => line.StartsWith('#')).Select(line => line.Length > 1 ? line[2..] : "")];
        File.WriteAllText(Path.Combine(_cli.Workspace, "allos.yaml"), "default_model: openai/gpt-4o-mini\n" + string.Join('\n', example) + "\n");
        File.WriteAllText(Path.Combine(_cli.Workspace, ".env"), "DOCS_TOKEN=docs-token-for-the-example\n");
        CliResult shown = await _cli.RunAsync("config", "show", "--json");

        shown.ExitCode.ShouldBe(0, shown.ToString());
        JsonElement mcp = shown.Json().GetProperty("mcp servers");
        mcp.GetProperty("files").GetString()!.ShouldStartWith("stdio · npx -y @modelcontextprotocol/server-filesystem . · enabled");
        mcp.GetProperty("docs").GetString()!.ShouldStartWith("http · https://docs.example.com/mcp · headers Authorization: Bea… · disabled");
        shown.Stdout.ShouldNotContain("docs-token-for-the-example");
    }
}
