namespace Allos.IntegrationTests.Cli;

/// <summary><c>allos sessions</c> as a real process, over sessions seeded by <c>allos run</c> against the fake provider server.</summary>
public sealed class SessionsCommandTests : FakeServerCliTests
{
    [Fact]
    public async Task List_AfterTwoRuns_ShowsBothNewestFirstByShortIdWithTheirFirstWords()
    {
        (string first, string second) = await SeedAsync();

        CliResult result = await Allos("sessions", "list");

        result.ExitCode.ShouldBe(0, result.ToString());
        string[] lines = Lines(result.Stdout);
        lines[0].ShouldStartWith("id ");
        string firstLine = lines.Where(line => line.StartsWith(first[..8] + " ", StringComparison.Ordinal)).ShouldHaveSingleItem();
        string secondLine = lines.Where(line => line.StartsWith(second[..8] + " ", StringComparison.Ordinal)).ShouldHaveSingleItem();
        Array.IndexOf(lines, secondLine).ShouldBeLessThan(Array.IndexOf(lines, firstLine), "newest first");
        result.Stdout.ShouldNotContain(first, customMessage: "the list shows short ids, not the whole ones");
        firstLine.ShouldContain("Create notes/hello.txt");
        secondLine.ShouldContain("Explain web scraping");
        secondLine.ShouldContain("openai/gpt-4o-mini");
        secondLine.ShouldContain("just now");

        CliResult limited = await Allos("sessions", "list", "--limit", "1");
        limited.Stdout.ShouldContain(second[..8]);
        limited.Stdout.ShouldNotContain(first[..8]);
    }

    [Fact]
    public async Task List_LongTitle_IsCutWithAnEllipsisAndEveryLineFits80Columns()
    {
        string task = "Please summarize the following very long request about refactoring the storage layer of the project into smaller parts";
        Server.Enqueue(FakeTurn.Text("Done.").WithUsage(20, 7));
        CliResult run = await Allos("run", "-m", "openai/gpt-4o-mini", "--json", task);
        run.ExitCode.ShouldBe(0, run.ToString());
        string id = run.Json().GetProperty("session").GetString()!;

        CliResult result = await Allos("sessions", "list");

        result.ExitCode.ShouldBe(0, result.ToString());
        string[] lines = Lines(result.Stdout);
        lines.Length.ShouldBe(2, "a header and one line per session: nothing wraps");
        lines.ShouldAllBe(line => line.Length <= 80);
        string line = lines[1];
        line.ShouldStartWith(id[..8] + " ");
        line.ShouldContain("Please summarize the");
        line.ShouldContain("…");
        line.ShouldNotContain("smaller parts");
    }

    [Fact]
    public async Task Sessions_Alone_ListsLikeList()
    {
        (string first, string second) = await SeedAsync();

        CliResult result = await Allos("sessions");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe((await Allos("sessions", "list")).Stdout);
        result.Stdout.ShouldContain(first[..8]);
        result.Stdout.ShouldContain(second[..8]);
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
        string markdown = File.ReadAllText(Path.Combine(Cli.Workspace, "session.md"));
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
        result.Stdout.ShouldContain(second[..8]);
        result.Stdout.ShouldNotContain(first[..8]);
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
        list.Stdout.ShouldNotContain(first[..8]);
        list.Stdout.ShouldContain(second[..8]);
    }

    /// <summary>Two runs: one writes a file through a tool call, one only answers.</summary>
    private async Task<(string First, string Second)> SeedAsync()
    {
        Server.Enqueue(
            FakeTurn.ToolCalls(new FakeToolCall("call_1", "write_file", """{"path":"notes/hello.txt","content":"hello\n"}""")).WithUsage(30, 5),
            FakeTurn.Text("Created notes/hello.txt.").WithUsage(50, 6));
        CliResult first = await Allos("run", "-m", "openai/gpt-4o-mini", "-y", "--json", "Create notes/hello.txt");
        first.ExitCode.ShouldBe(0, first.ToString());

        Server.Enqueue(FakeTurn.Text("Fetch the page, then parse it.").WithUsage(20, 7));
        CliResult second = await Allos("run", "-m", "openai/gpt-4o-mini", "--json", "Explain web scraping briefly");
        second.ExitCode.ShouldBe(0, second.ToString());
        return (first.Json().GetProperty("session").GetString()!, second.Json().GetProperty("session").GetString()!);
    }

    private static string[] Lines(string text) => [.. text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0)];

    private Task<CliResult> Allos(params string[] args) => Cli.RunAsync(args);
}
