using System.Text.Json;
using Allos.IntegrationTests.Mcp;

namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos mcp</c>, <c>allos tools</c> and a run that uses MCP tools: the real CLI against real MCP servers and the fake model.</summary>
public sealed class McpCommandTests : FakeServerCliTests
{
    private string FaultServer => $"{{ command: dotnet, args: [\"{McpPeers.FaultServerPath}\"] }}";

    [Fact]
    public async Task McpListJson_ServersFromAllosYamlAndMcpJson_GiveStatusErrorAndTools()
    {
        WriteConfig($$"""
            mcp_servers:
              faults: {{FaultServer}}
              broken: { command: dotnet, args: ["{{McpPeers.FaultServerPath}}", fail-start] }
              off: { command: dotnet, enabled: false }
            """);
        File.WriteAllText(Path.Combine(Cli.Workspace, ".mcp.json"), JsonSerializer.Serialize(
            new Dictionary<string, Dictionary<string, Dictionary<string, object>>>
            {
                ["mcpServers"] = new()
                {
                    ["everything"] = new() { ["command"] = "node", ["args"] = new[] { McpPeers.NpmServer("server-everything"), "stdio" } },
                    ["faults"] = new() { ["command"] = "no-such-program", ["args"] = Array.Empty<string>() },
                },
            }, JsonContext.Default.DictionaryStringDictionaryStringDictionaryStringObject));

        CliResult result = await Cli.RunAsync("mcp", "list", "--json");

        result.ExitCode.ShouldBe(1, result.ToString());
        JsonElement[] servers = [.. result.Json().EnumerateArray()];
        servers.Select(server => server.GetProperty("name").GetString()).ShouldBe(["faults", "broken", "off", "everything"], "allos.yaml wins a name both files have");
        JsonElement faults = servers[0];
        faults.GetProperty("transport").GetString().ShouldBe("stdio");
        faults.GetProperty("status").GetString().ShouldBe("connected");
        faults.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
        faults.GetProperty("tools").EnumerateArray().Select(tool => tool.GetString()).ShouldContain("mcp__faults__echo");
        servers[1].GetProperty("status").GetString().ShouldBe("failed");
        servers[1].GetProperty("error").GetString()!.ShouldContain("MCP server 'broken'");
        servers[1].GetProperty("error").GetString()!.ShouldContain("FAULT_TOKEN is missing");
        servers[1].GetProperty("tools").GetArrayLength().ShouldBe(0);
        servers[2].GetProperty("status").GetString().ShouldBe("disabled");
        servers[3].GetProperty("status").GetString().ShouldBe("connected");
        servers[3].GetProperty("tools").EnumerateArray().Select(tool => tool.GetString()).ShouldContain("mcp__everything__echo");
    }

    [Fact]
    public async Task McpList_UnknownKey_IsAConfigurationErrorWithTheLine()
    {
        WriteConfig("""
            mcp_servers:
              files:
                comand: npx
            """);

        CliResult result = await Cli.RunAsync("mcp", "list");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("allos.yaml:3: unknown key 'comand' in MCP server 'files'; did you mean 'command'?");
        result.Stderr.ShouldNotContain("   at ");
    }

    [Fact]
    public async Task McpToolsAndTools_ListTheServersToolsWithTheirPermissions()
    {
        WriteConfig($"""
            mcp_servers:
              faults: {FaultServer}
            """);

        CliResult mcpTools = await Cli.RunAsync("mcp", "tools", "faults");
        CliResult tools = await Cli.RunAsync("tools");

        mcpTools.ExitCode.ShouldBe(0, mcpTools.ToString());
        Line(mcpTools.Stdout, "mcp__faults__echo").ShouldContain("allow");
        Line(mcpTools.Stdout, "mcp__faults__delete_everything").ShouldContain("ask");
        tools.ExitCode.ShouldBe(0, tools.ToString());
        Line(tools.Stdout, "mcp__faults__echo").ShouldContain("mcp,mcp__faults");
        tools.Stdout.ShouldContain("read_file", customMessage: "the built-in tools are still listed");

        static string Line(string output, string tool) =>
            output.Split('\n').FirstOrDefault(line => line.Contains($" {tool} ", StringComparison.Ordinal)) ?? throw new ShouldAssertException($"no line for {tool} in:\n{output}");
    }

    [Fact]
    public async Task Run_ModelCallsAnMcpTool_TheNextRequestCarriesTheServersResult()
    {
        WriteConfig($"""
            mcp_servers:
              faults: {FaultServer}
            """);
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "mcp__faults__echo", """{"text":"ping from the model"}""")),
            FakeTurn.Text("The server said pong."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp__faults", "Echo something");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("The server said pong.");
        Server.Requests.Count.ShouldBe(2);
        Server.Requests[0].Body.ShouldContain("mcp__faults__echo", customMessage: "the MCP tools are declared to the model");
        Server.Requests[0].Body.ShouldContain("Sends the text back", customMessage: "with the server's description");
        Server.Requests[1].Body.ShouldContain("echo: ping from the model", customMessage: "the server's real result goes back to the model");
    }

    [Fact]
    public async Task Run_ServerThatFailsToStart_IsReportedNotAnEmptyToolList()
    {
        WriteConfig($$"""
            mcp_servers:
              broken: { command: dotnet, args: ["{{McpPeers.FaultServerPath}}", fail-start] }
            """);

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--tools", "mcp", "hello");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stderr.ShouldContain("MCP server 'broken' failed to start");
        result.Stderr.ShouldContain("FAULT_TOKEN is missing");
        Server.Requests.Count.ShouldBe(0, "nothing is sent to the model without the tools it was given");
    }

    [Fact]
    public async Task Run_AgentsYamlNamesAnMcpTool_TheAgentGetsItAndAnUnknownOneIsAConfigurationError()
    {
        WriteConfig($$"""
            mcp_servers:
              faults: {{FaultServer}}
            """);
        File.WriteAllText(Path.Combine(Cli.Workspace, "agents.yaml"), """
            agents:
              - name: echoer
                instructions: Echo.
                tools: [mcp__faults__echo]
            """);
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "mcp__faults__echo", """{"text":"from the team"}""")),
            FakeTurn.Text("done"));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--agent", "echoer", "Echo");
        File.WriteAllText(Path.Combine(Cli.Workspace, "agents.yaml"), """
            agents:
              - name: typo
                instructions: Echo.
                tools: [mcp__faults__ehco]
            """);
        CliResult typo = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--agent", "typo", "Echo");

        result.ExitCode.ShouldBe(0, result.ToString());
        Server.Requests[1].Body.ShouldContain("echo: from the team");
        Server.Requests[0].Body.ShouldNotContain("mcp__faults__pid", customMessage: "only the tool the agent names");
        typo.ExitCode.ShouldBe(3, typo.ToString());
        typo.Stderr.ShouldContain("uses the MCP tool 'mcp__faults__ehco' (did you mean 'mcp__faults__echo'?), which its server does not offer");
    }

    private void WriteConfig(string yaml) => File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), yaml);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, Dictionary<string, Dictionary<string, object>>>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class JsonContext : System.Text.Json.Serialization.JsonSerializerContext;
