using Allos.Configuration;
using Allos.Mcp;
using Allos.Tools;

namespace Allos.Tests.Mcp;

public sealed class McpConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("allos-mcp-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static AllosOptions Load(string yaml, Dictionary<string, string>? environment = null) =>
        AllosConfiguration.Load(yaml, "allos.yaml", name => environment?.GetValueOrDefault(name), Directory.GetCurrentDirectory());

    [Fact]
    public void Load_McpServers_ReadsEveryKey()
    {
        AllosOptions options = Load("""
            mcp_servers:
              files:
                command: npx
                args: [-y, "@modelcontextprotocol/server-filesystem", "."]
                env: { TOKEN: "${FILES_TOKEN}" }
                tools: [read_file, list_directory]
                approval: { read_file: allow, list_directory: deny }
                timeout: 5s
              search:
                url: https://mcp.example.com/mcp
                headers: { Authorization: "Bearer ${SEARCH_TOKEN}" }
                exclude: [admin]
                approval: allow
                enabled: false
            """, new() { ["FILES_TOKEN"] = "f-1", ["SEARCH_TOKEN"] = "s-2" });

        options.McpServers.Count.ShouldBe(2);
        McpServerOptions files = options.McpServers[0];
        files.Name.ShouldBe("files");
        files.Command.ShouldBe("npx");
        files.Arguments.ShouldBe(["-y", "@modelcontextprotocol/server-filesystem", "."]);
        files.Environment["TOKEN"].ShouldBe("f-1");
        files.Tools.ShouldBe(["read_file", "list_directory"]);
        files.ToolApprovals["read_file"].ShouldBe(ToolPermission.Allow);
        files.ToolApprovals["list_directory"].ShouldBe(ToolPermission.Deny);
        files.Approval.ShouldBeNull();
        files.Timeout.ShouldBe(TimeSpan.FromSeconds(5));
        files.Transport.ShouldBe("stdio");
        files.Source.ShouldBe("allos.yaml:2");

        McpServerOptions search = options.McpServers[1];
        search.Url.ShouldBe(new Uri("https://mcp.example.com/mcp"));
        search.Headers["Authorization"].ShouldBe("Bearer s-2");
        search.Exclude.ShouldBe(["admin"]);
        search.Approval.ShouldBe(ToolPermission.Allow);
        search.Enabled.ShouldBeFalse();
        search.Timeout.ShouldBe(TimeSpan.FromSeconds(60), "the default");
        search.Transport.ShouldBe("http");
    }

    [Fact]
    public void Load_Sampling_IsReadPerServerAndAsksByDefault()
    {
        AllosOptions options = Load("""
            mcp_servers:
              tools: { command: npx, sampling: allow, sampling_model: openai/gpt-4o-mini }
              quiet: { command: npx, sampling: deny }
              plain: { command: npx }
            """);

        options.McpServers[0].Sampling.ShouldBe(ToolPermission.Allow);
        options.McpServers[0].SamplingModel.ShouldBe("openai/gpt-4o-mini");
        options.McpServers[1].Sampling.ShouldBe(ToolPermission.Deny);
        options.McpServers[2].Sampling.ShouldBe(ToolPermission.Ask, "the default");
        options.McpServers[2].SamplingModel.ShouldBeNull("the run's model");
    }

    [Theory]
    [InlineData("mcp_servers:\n  files:\n    comand: npx\n", "allos.yaml:3: unknown key 'comand' in MCP server 'files'; did you mean 'command'?")]
    [InlineData("mcp_servers:\n  files:\n    args: [x]\n", "allos.yaml:2: MCP server 'files' needs a command (a program started over stdio) or a url")]
    [InlineData("mcp_servers:\n  files:\n    command: npx\n    url: https://x.example/mcp\n", "allos.yaml:4: MCP server 'files' has both a command and a url")]
    [InlineData("mcp_servers:\n  files:\n    command: npx\n    headers: { A: b }\n", "allos.yaml:4: headers applies only to a server with a url")]
    [InlineData("mcp_servers:\n  files:\n    command: npx\n    approval: sometimes\n", "allos.yaml:4: unknown approval 'sometimes'; valid values: ask, allow, deny")]
    [InlineData("mcp_servers:\n  files:\n    command: npx\n    timeout: soon\n", "allos.yaml:4: timeout must be a duration")]
    [InlineData("mcp_servers:\n  files:\n    command: npx\n    sampling: yes-please\n", "allos.yaml:4: unknown sampling 'yes-please'; valid values: ask, allow, deny")]
    [InlineData("mcp_servers:\n  files:\n    command: npx\n    sampling_model: \"  \"\n", "allos.yaml:4: sampling_model must name a model or alias")]
    [InlineData("mcp_servers:\n  files:\n    command: npx\n    sampling_modle: x\n", "allos.yaml:4: unknown key 'sampling_modle' in MCP server 'files'; did you mean 'sampling_model'?")]
    [InlineData("mcp_servers:\n  web:\n    url: ftp://x.example\n", "allos.yaml:3: url must be an http:// or https:// address")]
    [InlineData("mcp_servers:\n  files:\n    command: npx\n    env: { T: \"${NOT_SET_ANYWHERE}\" }\n", "allos.yaml:4: environment variable NOT_SET_ANYWHERE is not set")]
    [InlineData("mcp_server:\n  files: { command: npx }\n", "allos.yaml:1: unknown key 'mcp_server' in allos.yaml; did you mean 'mcp_servers'?")]
    public void Load_InvalidServer_IsAnErrorWithTheLine(string yaml, string expected) =>
        Should.Throw<ConfigurationException>(() => Load(yaml)).Message.ShouldContain(expected);

    [Fact]
    public void LoadMcpJson_ClaudeCodeFormat_ReadsStdioAndHttpServersWithVariables()
    {
        string path = Path.Combine(_folder, ".mcp.json");
        File.WriteAllText(path, """
            {
              "mcpServers": {
                "files": { "command": "npx", "args": ["-y", "server", "${ROOT:-/tmp}"], "env": { "KEY": "${FILES_KEY}" } },
                "search": { "type": "http", "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer ${SEARCH_TOKEN}" } }
              }
            }
            """);
        var environment = new Dictionary<string, string> { ["FILES_KEY"] = "k", ["SEARCH_TOKEN"] = "t" };

        IReadOnlyList<McpServerOptions> servers = McpConfiguration.LoadMcpJson(path, name => environment.GetValueOrDefault(name));

        servers.Count.ShouldBe(2);
        servers[0].Command.ShouldBe("npx");
        servers[0].Arguments.ShouldBe(["-y", "server", "/tmp"], "${VAR:-default} takes the default when VAR is unset");
        servers[0].Environment["KEY"].ShouldBe("k");
        servers[0].Source.ShouldBe(".mcp.json");
        servers[1].Url.ShouldBe(new Uri("https://mcp.example.com/mcp"));
        servers[1].Headers["Authorization"].ShouldBe("Bearer t");
    }

    [Theory]
    [InlineData("""{ "mcpServers": { "a": { "command": "x", } ] }""", ".mcp.json:1: not valid JSON")]
    [InlineData("""{ "mcpServers": { "a": { "args": ["x"] } } }""", ".mcp.json: mcpServers.a: needs a \"command\"")]
    [InlineData("""{ "mcpServers": { "a": { "command": 3 } } }""", ".mcp.json: mcpServers.a.command must be a string")]
    [InlineData("""{ "mcpServers": { "a": { "command": "${NOT_SET_ANYWHERE}" } } }""", "environment variable NOT_SET_ANYWHERE is not set")]
    public void LoadMcpJson_InvalidFile_NamesTheFileAndTheServer(string json, string expected)
    {
        string path = Path.Combine(_folder, ".mcp.json");
        File.WriteAllText(path, json);

        Should.Throw<ConfigurationException>(() => McpConfiguration.LoadMcpJson(path, _ => null)).Message.ShouldContain(expected);
    }

    [Fact]
    public void LoadMcpJson_NoFile_IsNoServers() =>
        McpConfiguration.LoadMcpJson(Path.Combine(_folder, ".mcp.json"), _ => null).ShouldBeEmpty();

    [Fact]
    public void Merge_SameName_TakesThePreferredOne()
    {
        McpServerOptions yaml = new() { Name = "files", Command = "from-yaml" };
        McpServerOptions json = new() { Name = "files", Command = "from-json" };
        McpServerOptions other = new() { Name = "other", Command = "x" };

        IReadOnlyList<McpServerOptions> merged = McpConfiguration.Merge([yaml], [json, other]);

        merged.Select(server => server.Command).ShouldBe(["from-yaml", "x"]);
    }

    [Fact]
    public void McpServers_TwoNamesThatBecomeOneGroup_IsAConfigurationError() =>
        Should.Throw<ConfigurationException>(() => new McpServers([new McpServerOptions { Name = "a-b.c", Command = "x" }, new McpServerOptions { Name = "a-b_c", Command = "y" }]))
            .Message.ShouldContain("MCP servers 'a-b.c' and 'a-b_c' both become the tool group 'mcp__a-b_c'; rename one.");
}
