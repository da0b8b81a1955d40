namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos sessions</c> as a real process, over sessions seeded by <c>allos run</c> against the fake provider server.</summary>
public sealed class SessionsCommandTests : IAsyncLifetime
{
    private readonly CliProcess _cli = new();
    private FakeProviderServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeProviderServer.StartAsync();
        _cli.UseFakeServer(_server, "openai");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _cli.Dispose();
    }

    [Fact]
    public async Task List_AfterTwoRuns_ShowsBothNewestFirstWithTheirFirstWordsAndTokens()
    {
        (string first, string second) = await SeedAsync();

        CliResult result = await Allos("sessions", "list");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain(first);
        result.Stdout.ShouldContain(second);
        result.Stdout.IndexOf(second, StringComparison.Ordinal).ShouldBeLessThan(result.Stdout.IndexOf(first, StringComparison.Ordinal), "newest first");
        result.Stdout.ShouldContain("Create notes/hello.txt");
        result.Stdout.ShouldContain("Explain web scraping");
        result.Stdout.ShouldContain("80 in / 11 out");
        result.Stdout.ShouldContain("openai/gpt-4o-mini");

        CliResult limited = await Allos("sessions", "list", "--limit", "1");
        limited.Stdout.ShouldContain(second);
        limited.Stdout.ShouldNotContain(first);
    }

    [Fact]
    public async Task List_NoSessions_SaysHowToStartOne()
    {
        CliResult result = await Allos("sessions", "list");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldContain("No sessions yet");
    }

    [Fact]
    public async Task Show_SessionWithToolCall_PrintsRolesTextAndOneLinePerToolCall()
    {
        (string first, _) = await SeedAsync();

        CliResult result = await Allos("sessions", "show", first);

        result.ExitCode.ShouldBe(0, result.ToString());
        string[] lines = result.Stdout.Split('\n').Select(line => line.TrimEnd()).ToArray();
        lines.ShouldContain($"session {first}  Create notes/hello.txt");
        lines.ShouldContain("user");
        lines.ShouldContain("  Create notes/hello.txt");
        lines.ShouldContain("assistant (allos)");
        lines.ShouldContain("  Created notes/hello.txt.");
        string call = lines.Where(line => line.Contains("write_file", StringComparison.Ordinal)).ShouldHaveSingleItem();
        call.ShouldContain("write_file notes/hello.txt →");
        result.Stdout.ShouldContain("80 in / 11 out");
    }

    [Theory]
    [InlineData("show")]
    [InlineData("resume")]
    [InlineData("delete")]
    [InlineData("export")]
    public async Task Subcommand_UnknownId_FailsWithOneLineAndExit1(string subcommand)
    {
        CliResult result = await Allos("sessions", subcommand, "no-such-session");

        result.ExitCode.ShouldBe(1, result.ToString());
        result.Stdout.ShouldBeEmpty();
        result.Stderr.Trim().ShouldBe("error: no session no-such-session; `allos sessions list` shows them.");
    }

    [Fact]
    public async Task Export_Json_PrintsTheSessionWithItsMessages()
    {
        (string first, _) = await SeedAsync();

        CliResult result = await Allos("sessions", "export", first);

        result.ExitCode.ShouldBe(0, result.ToString());
        var json = result.Json();
        json.GetProperty("id").GetString().ShouldBe(first);
        json.GetProperty("usage").GetProperty("input_tokens").GetInt64().ShouldBe(80);
        var messages = json.GetProperty("messages").EnumerateArray().ToList();
        messages.Count.ShouldBe(4, "user, assistant with the call, tool result, final answer");
        result.Stdout.ShouldContain("write_file");
        result.Stdout.ShouldContain("Created notes/hello.txt.");
    }

    [Fact]
    public async Task Export_MarkdownToFile_WritesTheFileAndNothingOnStdout()
    {
        (string first, _) = await SeedAsync();

        CliResult result = await Allos("sessions", "export", first, "--format", "md", "--output", "session.md");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBeEmpty();
        string markdown = File.ReadAllText(Path.Combine(_cli.Workspace, "session.md"));
        markdown.ShouldStartWith($"# Session {first}");
        markdown.ShouldContain("## user");
        markdown.ShouldContain("Tool call `write_file`");
    }

    [Fact]
    public async Task Export_UnknownFormat_IsAUsageError()
    {
        CliResult result = await Allos("sessions", "export", "x", "--format", "pdf");

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("pdf");
    }

    [Fact]
    public async Task Search_WordInOneSession_ShowsThatSessionAndASnippet()
    {
        (string first, string second) = await SeedAsync();

        CliResult result = await Allos("sessions", "search", "scraping");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain(second);
        result.Stdout.ShouldNotContain(first);
        result.Stdout.ShouldContain("[scraping]", customMessage: "the matched word is marked in redirected output");

        CliResult none = await Allos("sessions", "search", "zebra");
        none.ExitCode.ShouldBe(0, none.ToString());
        none.Stdout.ShouldBeEmpty();
        none.Stderr.ShouldContain("No message matches 'zebra'");
    }

    [Fact]
    public async Task Delete_NotATerminalWithoutYes_RefusesWithExit2AndKeepsTheSession()
    {
        (string first, _) = await SeedAsync();

        CliResult result = await Allos("sessions", "delete", first);

        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("-y");
        (await Allos("sessions", "show", first)).ExitCode.ShouldBe(0);
    }

    [Fact]
    public async Task Delete_WithYes_RemovesTheSessionAndKeepsTheOther()
    {
        (string first, string second) = await SeedAsync();

        CliResult result = await Allos("sessions", "delete", first, "-y");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain($"Deleted session {first}");
        (await Allos("sessions", "show", first)).ExitCode.ShouldBe(1);
        CliResult list = await Allos("sessions", "list");
        list.Stdout.ShouldNotContain(first);
        list.Stdout.ShouldContain(second);
    }

    /// <summary>Two runs: one writes a file through a tool call, one only answers.</summary>
    private async Task<(string First, string Second)> SeedAsync()
    {
        _server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"notes/hello.txt","content":"hello\n"}""")).WithUsage(30, 5),
            FakeTurn.Text("Created notes/hello.txt.").WithUsage(50, 6));
        CliResult first = await Allos("run", "-m", "openai/gpt-4o-mini", "-y", "--json", "Create notes/hello.txt");
        first.ExitCode.ShouldBe(0, first.ToString());

        _server.Enqueue(FakeTurn.Text("Fetch the page, then parse it.").WithUsage(20, 7));
        CliResult second = await Allos("run", "-m", "openai/gpt-4o-mini", "--json", "Explain web scraping briefly");
        second.ExitCode.ShouldBe(0, second.ToString());
        return (first.Json().GetProperty("session").GetString()!, second.Json().GetProperty("session").GetString()!);
    }

    private Task<CliResult> Allos(params string[] args) => _cli.RunAsync(args);
}
