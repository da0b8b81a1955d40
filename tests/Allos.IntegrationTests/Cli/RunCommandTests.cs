namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos run</c> as a real process against the fake provider server.</summary>
public sealed class RunCommandTests : IAsyncLifetime
{
    private readonly CliProcess _cli = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    [Theory]
    [InlineData("openai", "openai/gpt-4o-mini")]
    [InlineData("anthropic", "anthropic/claude-sonnet-4-5")]
    [InlineData("gemini", "gemini/gemini-2.5-flash")]
    [InlineData("ollama", "ollama/llama3.1")]
    public async Task Run_TaskWithToolCalls_WritesTheFileAndPrintsTheAnswer(string provider, string model)
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"notes/hello.txt","content":"hello from the agent\n"}""")),
            FakeTurn.Text("Created notes/hello.txt.").WithUsage(40, 8));
        _cli.UseFakeServer(_server, provider);

        CliResult result = await _cli.RunAsync("run", "--model", model, "-y", "Create notes/hello.txt");

        result.ExitCode.ShouldBe(0, result.ToString());
        File.ReadAllText(Path.Combine(_cli.Workspace, "notes", "hello.txt")).ShouldBe("hello from the agent\n");
        result.Stdout.Trim().ShouldBe("Created notes/hello.txt.");
        result.Stderr.ShouldContain("write_file notes/hello.txt");
        _server.Requests.Count.ShouldBe(2);
        _server.Requests[0].Body.ShouldContain("write_file", customMessage: "the built-in tools are declared to the model");
    }

    [Fact]
    public async Task Run_Json_PrintsExactlyOneObjectWithTheContract()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "list_directory", """{"path":"."}""")).WithUsage(30, 5),
            FakeTurn.Text("The folder is empty.").WithUsage(50, 6));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", "openai/gpt-4o-mini", "--json", "What is in this folder?");

        result.ExitCode.ShouldBe(0, result.ToString());
        var json = result.Json();
        json.GetProperty("status").GetString().ShouldBe("completed");
        json.GetProperty("text").GetString().ShouldBe("The folder is empty.");
        json.GetProperty("session").GetString().ShouldNotBeNullOrEmpty();
        json.GetProperty("agent").GetString().ShouldBe("allos");
        json.GetProperty("model").GetString().ShouldBe("openai/gpt-4o-mini");
        json.GetProperty("usage").GetProperty("input_tokens").GetInt64().ShouldBe(80);
        json.GetProperty("usage").GetProperty("output_tokens").GetInt64().ShouldBe(11);
        json.GetProperty("usage").GetProperty("cached_input_tokens").GetInt64().ShouldBe(0);
        json.GetProperty("usage").GetProperty("reasoning_tokens").GetInt64().ShouldBe(0);
        json.GetProperty("cost_usd").GetDecimal().ShouldBe(((80 * 0.15m) + (11 * 0.60m)) / 1_000_000m);
        var call = json.GetProperty("tool_calls").EnumerateArray().ShouldHaveSingleItem();
        call.GetProperty("name").GetString().ShouldBe("list_directory");
        call.GetProperty("arguments").GetProperty("path").GetString().ShouldBe(".");
        call.GetProperty("status").GetString().ShouldBe("ok");
        json.GetProperty("handoffs").GetArrayLength().ShouldBe(0);
        json.GetProperty("error").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }
}
