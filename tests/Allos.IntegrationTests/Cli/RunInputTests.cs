using System.Text.Json;

namespace Allos.IntegrationTests.Cli;

/// <summary>What <c>allos run</c> reads: piped text beside a task, <c>--cwd</c>'s folder, a locked session with <c>--wait</c>, an agents.yaml; and what it says.</summary>
public sealed class RunInputTests : IAsyncLifetime
{
    private const string Model = "openai/gpt-4o-mini";
    private readonly CliProcess _cli = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeProviderServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    [Fact]
    public async Task Run_PipedTextAndATask_SendsTheTaskWithThePipedTextAsAFencedBlock()
    {
        _server.Enqueue(FakeTurn.Text("A short summary."));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunWithInputAsync("line one\nline two\n", "-m", Model, "summarize this");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Trim().ShouldBe("A short summary.");
        UserText(_server.Requests[0]).ShouldBe("summarize this\n\n```\nline one\nline two\n```");
    }

    [Fact]
    public async Task Run_Cwd_ReadsThatFoldersEnvAllosYamlAndAgentsYaml()
    {
        string project = Directory.CreateDirectory(Path.Combine(_cli.Workspace, "project")).FullName;
        File.WriteAllText(Path.Combine(project, ".env"), $"OPENAI_API_KEY=sk-from-project-env\nOPENAI_BASE_URL={_server.OpenAIEndpoint}\n");
        File.WriteAllText(Path.Combine(project, "allos.yaml"), "default_model: openai/gpt-4.1-mini\n");
        File.WriteAllText(Path.Combine(project, "agents.yaml"), """
            agents:
              - name: reviewer
                instructions: You review code in the project folder.
                tools: [read_file]
            """);
        File.WriteAllText(Path.Combine(project, "notes.txt"), "from the project");
        _server.Enqueue(FakeTurn.ToolCalls(new FakeToolCall("call_1", "read_file", """{"path":"notes.txt"}""")), FakeTurn.Text("Read it."));

        CliResult result = await _cli.RunAsync("run", "--cwd", "project", "--agent", "reviewer", "Read notes.txt");

        result.ExitCode.ShouldBe(0, result.ToString());
        _server.Requests[0].Headers["Authorization"].ShouldBe("Bearer sk-from-project-env");
        _server.Requests[0].Body.ShouldContain("\"gpt-4.1-mini\"");
        _server.Requests[0].Body.ShouldContain("You review code in the project folder.");
        _server.Requests[1].Body.ShouldContain("from the project");
    }

    [Fact]
    public async Task Run_WaitOnASessionInUse_SaysOnceWhichProcessHoldsItThenRunsWhenItIsFree()
    {
        _server.Enqueue(FakeTurn.Text("first"), FakeTurn.Text("second"));
        _cli.UseFakeServer(_server, "openai");

        // A chat holds the session for as long as it is open: the second run cannot take it until the chat ends.
        using TmuxTerminal chat = await TmuxTerminal.StartAsync(_cli, "chat", "-m", Model, "-s", "shared");
        await chat.WaitForPromptAsync();
        await chat.TypeLineAsync("Hello");
        await chat.WaitForAsync("first");
        await chat.WaitForPromptAsync();
        using TmuxTerminal run = await TmuxTerminal.StartAsync(_cli, "run", "-m", Model, "-s", "shared", "--wait", "Meanwhile");
        string waiting = await run.WaitForAsync("waiting for it to finish");
        waiting.ShouldMatch(@"session shared is in use by process \d+");
        _server.Requests.Count.ShouldBe(1, "the waiting run has not called the model");

        await chat.TypeLineAsync("/exit");
        (await chat.WaitForExitAsync()).ShouldBe(0);
        (await run.WaitForExitAsync()).ShouldBe(0, await run.ScreenAsync());

        string screen = await run.ScreenAsync();
        screen.ShouldContain("second");
        TmuxTerminal.Count(screen, "is in use by").ShouldBe(1, screen);
        _server.Requests[1].Body.ShouldContain("first", customMessage: "the run continued the chat's history");
    }

    [Fact]
    public async Task Run_CustomerServiceExample_NamesTheAgentTheToolAndTheFileBeforeAnyCall()
    {
        string file = Path.Combine(_cli.Workspace, "agents.yaml");
        File.Copy(Path.Combine(RepositoryRoot(), "examples", "CustomerService", "agents.yaml"), file);
        _server.FallbackTurn = FakeTurn.Text("should not be asked");
        _cli.UseFakeServer(_server, "openai").UseFakeServer(_server, "anthropic").UseFakeServer(_server, "gemini");

        CliResult result = await _cli.RunAsync("run", "--agent", "triage", "Where is my order?");

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain($"Agent 'product_info' in {file} uses the tool 'find_products'");
        result.Stderr.ShouldContain("examples/CustomerService/Program.cs");
        _server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_RateLimited_PrintsOneLineSayingItWaitsThenAnswers()
    {
        _server.Enqueue(FakeTurn.ProviderError(429, "Rate limit reached", "rate_limit_exceeded").WithHeader("retry-after", "1"), FakeTurn.Text("after a pause"));
        _cli.UseFakeServer(_server, "openai");

        CliResult result = await _cli.RunAsync("run", "-m", Model, "Hello");

        result.ExitCode.ShouldBe(0, result.ToString());
        TmuxTerminal.Count(result.Stderr, "rate limited, retrying in 1 s").ShouldBe(1, result.Stderr);
    }

    [Fact]
    public async Task Run_UnknownProviderOrMissingKey_SpeaksInFlagsAndVariablesNotLibraryTypes()
    {
        CliResult unknown = await _cli.RunAsync("run", "-m", "nope/model-x", "Hello");
        _cli.Environment["OPENAI_BASE_URL"] = _server.OpenAIEndpoint.ToString();
        CliResult noKey = await _cli.RunAsync("run", "-m", Model, "--json", "Hello");

        unknown.ExitCode.ShouldBe(3, unknown.ToString());
        unknown.Stderr.ShouldContain("Unknown provider 'nope'");
        unknown.Stderr.ShouldContain("`allos providers` lists them");
        noKey.ExitCode.ShouldBe(3, noKey.ToString());
        noKey.Json().GetProperty("error").GetProperty("message").GetString().ShouldBe("No API key for openai: set OPENAI_API_KEY.");
        foreach (string output in new[] { unknown.Stderr, noKey.Stdout })
        {
            output.ShouldNotContain("ProviderRegistry");
            output.ShouldNotContain("ChatClientOptions");
        }
    }

    [Theory]
    [InlineData(60)]
    [InlineData(100)]
    public async Task Help_RunAtAWidth_ListsEachArgumentOnceAndWrapsBetweenWords(int width)
    {
        using TmuxTerminal terminal = await TmuxTerminal.StartAsync(_cli, width, "run", "--help");
        (await terminal.WaitForExitAsync()).ShouldBe(0);
        string screen = await TmuxAsPrinted(terminal);

        TmuxTerminal.Count(screen, "<task>").ShouldBe(2, screen); // the usage line and the Arguments section
        screen.ShouldContain("--max-iterations <N>");
        string[] words = [.. screen.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)];
        words.ShouldContain("comma-separated", customMessage: screen);
        foreach (string line in screen.Split('\n'))
        {
            line.TrimEnd().Length.ShouldBeLessThanOrEqualTo(width, line);
        }
    }

    /// <summary>The pane as printed, lines not joined: wrapping is what is checked.</summary>
    private static async Task<string> TmuxAsPrinted(TmuxTerminal terminal) => (await terminal.ScreenAsync()).Replace("\r", "", StringComparison.Ordinal);

    private static string UserText(RecordedRequest request) =>
        request.Json.GetProperty("messages").EnumerateArray().Last(message => message.GetProperty("role").GetString() == "user").GetProperty("content") switch
        {
            { ValueKind: JsonValueKind.String } text => text.GetString()!,
            var parts => string.Concat(parts.EnumerateArray().Select(part => part.GetProperty("text").GetString())),
        };

    private static string RepositoryRoot()
    {
        string? folder = AppContext.BaseDirectory;
        while (folder is not null && !File.Exists(Path.Combine(folder, "Allos.slnx")))
        {
            folder = Path.GetDirectoryName(folder);
        }

        return folder ?? throw new InvalidOperationException("Allos.slnx not found above " + AppContext.BaseDirectory);
    }
}
