using System.Text.Json;
using Allos.IntegrationTests.Mcp;

namespace Allos.IntegrationTests.Cli;

/// <summary>MCP prompts as prompt templates (<c>mcp__SERVER__NAME</c>): <c>prompts list/show/render</c> and <c>run --prompt</c>, against server-everything.</summary>
public sealed class McpPromptCliTests : FakeServerCliTests
{
    [Fact]
    public async Task PromptsListJson_ServersPrompts_BesideTheFilePromptsAndAFailedServerOnStderr()
    {
        WriteConfig($"\n  broken: {{ command: dotnet, args: [\"{McpPeers.FaultServerPath}\", fail-start] }}");
        Directory.CreateDirectory(Path.Combine(Cli.Workspace, "prompts"));
        File.WriteAllText(Path.Combine(Cli.Workspace, "prompts", "hello.prompt.md"), "---\ndescription: Say hello\n---\nuser:\nSay hello.\n");

        CliResult result = await Cli.RunAsync("prompts", "list", "--json");

        result.ExitCode.ShouldBe(0, result.ToString());
        JsonElement[] prompts = [.. result.Json().GetProperty("prompts").EnumerateArray()];
        prompts.Select(prompt => prompt.GetProperty("name").GetString()).ShouldContain("hello", "the file prompts still list");
        JsonElement args = prompts.Single(prompt => prompt.GetProperty("name").GetString() == "mcp__everything__args-prompt");
        args.GetProperty("server").GetString().ShouldBe("everything");
        JsonElement[] inputs = [.. args.GetProperty("inputs").EnumerateArray()];
        inputs.Select(input => (input.GetProperty("name").GetString(), input.GetProperty("required").GetBoolean())).ShouldBe([("city", true), ("state", false)]);
        prompts.Select(prompt => prompt.GetProperty("name").GetString()).ShouldContain("mcp__everything__simple-prompt");
        result.Stderr.ShouldContain("MCP server 'broken' failed to start");
    }

    [Fact]
    public async Task PromptsList_Table_ShowsTheServerAsTheSource()
    {
        WriteConfig();

        CliResult result = await Cli.RunAsync("prompts", "list");

        result.ExitCode.ShouldBe(0, result.ToString());
        string line = result.Stdout.Split('\n').First(line => line.Contains("mcp__everything__simple-prompt", StringComparison.Ordinal));
        line.ShouldContain("MCP server 'everything'");
    }

    [Fact]
    public async Task PromptsShowAndRender_ArgsPrompt_InputsFromTheServerAndItsMessages()
    {
        WriteConfig();

        CliResult show = await Cli.RunAsync("prompts", "show", "mcp__everything__args-prompt");
        CliResult render = await Cli.RunAsync("prompts", "render", "mcp__everything__args-prompt", "--var", "city=Paris", "--json");
        CliResult missing = await Cli.RunAsync("prompts", "render", "mcp__everything__args-prompt");
        CliResult unknown = await Cli.RunAsync("prompts", "render", "mcp__everything__args-prompt", "--var", "cty=Paris");

        show.ExitCode.ShouldBe(0, show.ToString());
        show.Stdout.ShouldContain("MCP server 'everything', prompt 'args-prompt'");
        show.Stdout.ShouldMatch(@"city\s+string\s+required\s+Name of the city");
        show.Stdout.ShouldMatch(@"state\s+string\s+optional");
        render.ExitCode.ShouldBe(0, render.ToString());
        JsonElement message = render.Json().GetProperty("messages").EnumerateArray().Single();
        message.GetProperty("role").GetString().ShouldBe("user");
        message.GetProperty("content").GetString().ShouldBe("What's weather in Paris?");
        missing.ExitCode.ShouldBe(3, missing.ToString());
        missing.Stderr.ShouldContain("input 'city' of mcp__everything__args-prompt is required and was not given; pass it (on the command line: --var city=VALUE)");
        missing.Stderr.ShouldNotContain("   at ");
        unknown.ExitCode.ShouldBe(3, unknown.ToString());
        unknown.Stderr.ShouldContain("has no input 'cty'; its inputs are city, state. Did you mean 'city'?");
    }

    [Fact]
    public async Task PromptsRender_UnknownMcpPrompt_IsAConfigurationErrorWithTheServersPrompts()
    {
        WriteConfig();

        CliResult result = await Cli.RunAsync("prompts", "render", "mcp__everything__simple-promt");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("there is no MCP prompt 'mcp__everything__simple-promt'");
        result.Stderr.ShouldContain("Did you mean 'mcp__everything__simple-prompt'?");
    }

    [Fact]
    public async Task PromptsTest_McpPrompt_SaysItHasNoTestsAndATypoIsStillAnError()
    {
        WriteConfig();

        CliResult test = await Cli.RunAsync("prompts", "test", "mcp__everything__simple-prompt");
        CliResult json = await Cli.RunAsync("prompts", "test", "mcp__everything__simple-prompt", "--json");
        CliResult typo = await Cli.RunAsync("prompts", "test", "mcp__everything__simple-promt");

        test.ExitCode.ShouldBe(0, test.ToString());
        test.Stdout.ShouldContain("mcp__everything__simple-prompt: no tests (an MCP server's prompt carries none");
        json.ExitCode.ShouldBe(0, json.ToString());
        json.Json().GetProperty("untested").EnumerateArray().Single().GetString().ShouldBe("mcp__everything__simple-prompt");
        json.Json().GetProperty("tests").GetArrayLength().ShouldBe(0);
        typo.ExitCode.ShouldBe(3, typo.ToString());
        typo.Stderr.ShouldContain("Did you mean 'mcp__everything__simple-prompt'?");
    }

    [Fact]
    public async Task Run_ArgsPrompt_TheRenderedMessageReachesTheRecordedRequest()
    {
        WriteConfig();
        Server.Enqueue(FakeTurn.Text("Sunny."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--prompt", "mcp__everything__args-prompt", "--var", "city=Paris", "--var", "state=Texas");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("Sunny.");
        Server.Requests.Single().Body.ShouldContain("What\\u0027s weather in Paris, Texas?");
    }

    [Fact]
    public async Task Run_ResourcePromptWithATask_TheServersMessagesComeBeforeTheTask()
    {
        WriteConfig();
        Server.Enqueue(FakeTurn.Text("Analysed."));

        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--prompt", "mcp__everything__resource-prompt", "--var", "resourceType=Text", "--var", "resourceId=2", "Be brief.");

        result.ExitCode.ShouldBe(0, result.ToString());
        string body = Server.Requests.Single().Body;
        body.ShouldContain("Please analyze the following resource:");
        body.ShouldContain("Resource 2: This is a plaintext resource", customMessage: "the embedded resource's text is sent");
        body.IndexOf("Resource 2:", StringComparison.Ordinal).ShouldBeLessThan(body.IndexOf("Be brief.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_McpPromptWithoutServers_IsAConfigurationError()
    {
        CliResult result = await Cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--prompt", "mcp__everything__simple-prompt");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("no MCP servers are configured");
        Server.Requests.Count.ShouldBe(0);
    }

    private void WriteConfig(string more = "") => File.WriteAllText(Path.Combine(Cli.Workspace, "allos.yaml"), $"""
        mcp_servers:
          everything: {"{"} command: node, args: ["{McpPeers.NpmServer("server-everything")}", stdio] {"}"}
        """ + more + "\n");
}
